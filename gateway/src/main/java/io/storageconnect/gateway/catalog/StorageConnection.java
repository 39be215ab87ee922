package io.storageconnect.gateway.catalog;

import io.storageconnect.gateway.origin.BucketAddress;
import java.util.Objects;

/**
 * A platform account's own bucket ("storage connect"): where it is, the object prefix under which
 * the platform keeps originals, the IAM role the platform assumes, and how downloads are delivered.
 *
 * @param prefix normalised: empty, or ending in {@code /}
 * @param roleArn the customer's IAM role trusting the platform's OIDC issuer (may be {@code null}
 *     while static demo credentials are used)
 * @param deliveryMode this account's default, or {@code null} for the gateway-wide default
 * @param allowDeliveryOverride whether {@code ?delivery=} may change it, or {@code null} for the
 *     gateway-wide setting
 */
public record StorageConnection(
    String accountId,
    BucketAddress address,
    String prefix,
    String roleArn,
    DeliveryMode deliveryMode,
    Boolean allowDeliveryOverride) {

  public StorageConnection {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(prefix, "prefix");
  }

  /** The full object key of a key relative to this connection's prefix. */
  public String objectKey(String relativeKey) {
    return prefix + relativeKey;
  }
}
