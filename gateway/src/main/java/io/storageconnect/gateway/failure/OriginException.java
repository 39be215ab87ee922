package io.storageconnect.gateway.failure;

/**
 * A failure reading from a bucket, already classified so that callers decide on the kind and never
 * on SDK exception types or S3 error codes. The public message names no bucket or key.
 */
public final class OriginException extends GatewayException {

  /** What went wrong, as far as a caller needs to know. */
  public enum Kind {
    /** 404 NoSuchKey, or 403 on an object when the role may only read objects (missing-or-forbidden). */
    OBJECT_UNAVAILABLE(404, "object_unavailable", "The stored object for this asset cannot be found or read."),
    /**
     * The object is in an archive storage class (Glacier Flexible Retrieval, Deep Archive,
     * Intelligent-Tiering archive tiers) and not restored: S3 answers 403 InvalidObjectState.
     */
    ARCHIVED(409, "object_archived", "The stored object is archived; it must be restored before it can be read."),
    /** The object changed between the metadata lookup and the read (an If-Match on the GET failed). */
    CHANGED(503, "object_changed", "The stored object changed while it was being read; retry."),
    /** The bucket's circuit breaker is open: not asked at all, to fail fast (with Retry-After). */
    CIRCUIT_OPEN(503, "origin_unavailable", "The storage origin is unavailable; retry later."),
    /** Throttled by the origin (503 SlowDown after the SDK's retries). */
    THROTTLED(503, "origin_throttled", "The storage origin is throttling requests; retry later."),
    /** No answer in time. */
    TIMEOUT(504, "origin_timeout", "The storage origin did not answer in time."),
    /** Connection failures, 5xx and anything unexpected from the origin. */
    UNAVAILABLE(502, "origin_error", "The storage origin failed to answer."),
    /** The bucket or credentials are not usable as configured (NoSuchBucket, 301 region, bad key). */
    MISCONFIGURED(502, "origin_misconfigured", "The storage connection for this account is misconfigured.");

    private final int status;
    private final String code;
    private final String message;

    Kind(int status, String code, String message) {
      this.status = status;
      this.code = code;
      this.message = message;
    }
  }

  private final Kind kind;
  private java.time.Duration retryAfter;

  public OriginException(Kind kind, Throwable cause) {
    super(kind.status, kind.code, kind.message, cause);
    this.kind = kind;
  }

  /** When the origin is worth asking again (an open circuit breaker); sets {@code Retry-After}. */
  public OriginException withRetryAfter(java.time.Duration after) {
    this.retryAfter = after;
    withHeader("Retry-After", Long.toString(Math.max(1, after.toSeconds())));
    return this;
  }

  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }

  public Kind kind() {
    return kind;
  }

  /** The AWS error code behind this failure, if the origin sent one (for fix hints, never shown raw). */
  public java.util.Optional<String> awsErrorCode() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws && aws.awsErrorDetails() != null) {
        return java.util.Optional.ofNullable(aws.awsErrorDetails().errorCode());
      }
    }
    return java.util.Optional.empty();
  }

  /** The HTTP status the origin answered with, if it answered at all. */
  public java.util.OptionalInt originStatus() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof software.amazon.awssdk.core.exception.SdkServiceException service) {
        return java.util.OptionalInt.of(service.statusCode());
      }
    }
    return java.util.OptionalInt.empty();
  }

  /** The region S3 says the bucket is in ({@code x-amz-bucket-region} on a 301), if it said so. */
  public java.util.Optional<String> bucketRegion() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
          && aws.awsErrorDetails() != null
          && aws.awsErrorDetails().sdkHttpResponse() != null) {
        return aws.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region");
      }
    }
    return java.util.Optional.empty();
  }
}
