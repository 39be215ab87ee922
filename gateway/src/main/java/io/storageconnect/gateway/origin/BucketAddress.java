package io.storageconnect.gateway.origin;

import java.net.URI;
import java.util.Objects;

/**
 * Where a bucket lives and how to sign for it: region, bucket name, an optional endpoint override
 * (S3-compatible servers, path-style) and the source of credentials. Immutable; safe to use as a
 * map key.
 *
 * @param credentials static keys (dev/demo and S3-compatible endpoints only), or {@code null}
 * @param role the customer's role to assume, or {@code null}; with neither, the SDK's default
 *     credentials chain signs (the platform's own managed bucket)
 */
public record BucketAddress(String region, String bucket, URI endpoint, StaticCredentials credentials, Role role) {
  public BucketAddress {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
    if (credentials != null && role != null) {
      throw new IllegalArgumentException("static credentials and a role are exclusive");
    }
  }

  public BucketAddress(String region, String bucket, URI endpoint, StaticCredentials credentials) {
    this(region, bucket, endpoint, credentials, null);
  }

  /** A customer's IAM role, assumed for one platform account (the web identity token's sub). */
  public record Role(String accountId, String roleArn) {}

  /** The part of the address that decides which SDK client signs for it. */
  ClientKey clientKey() {
    return new ClientKey(region, endpoint, credentials, role);
  }

  record ClientKey(String region, URI endpoint, StaticCredentials credentials, Role role) {}

  @Override
  public String toString() {
    // Bucket names are customer data: they stay out of logs and messages by default.
    return "BucketAddress[region=" + region + "]";
  }
}
