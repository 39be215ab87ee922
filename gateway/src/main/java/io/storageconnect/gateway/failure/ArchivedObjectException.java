package io.storageconnect.gateway.failure;

/**
 * 409: the object exists, but its storage class does not allow reading it now (archived and not
 * restored, or a restore in progress). The body names the storage class and the restore state,
 * never the bucket or key. Immutable once built.
 */
public final class ArchivedObjectException extends GatewayException {
  private final boolean restoring;

  /**
   * @param original true for a customer's original ({@code original_archived}), false for an
   *     object of the managed bucket ({@code object_archived})
   * @param storageClass the object's storage class as S3 reports it, or {@code null} when S3
   *     refused a read (InvalidObjectState) without metadata saying why
   * @param restoring true while a restore is in progress
   */
  public ArchivedObjectException(boolean original, String storageClass, boolean restoring) {
    super(
        409,
        original ? "original_archived" : "object_archived",
        restoring
            ? "The stored object (" + storageClass + ") is being restored; retry later."
            : "The stored object is archived" + (storageClass == null ? "" : " (" + storageClass + ")")
                + "; it must be restored before it can be read.");
    this.restoring = restoring;
    if (storageClass != null) {
      withDetail("storageClass", storageClass);
    }
    withDetail("restore", restoring ? "in-progress" : "not-requested");
  }

  public boolean restoring() {
    return restoring;
  }
}
