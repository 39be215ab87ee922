package io.storageconnect.gateway.origin;

import java.net.URI;
import java.util.Objects;

/**
 * Where a bucket lives and how to sign for it: region, bucket name, an optional endpoint override
 * (S3-compatible servers, path-style) and credentials. Immutable; safe to use as a map key.
 *
 * @param credentials static keys (dev/demo and S3-compatible endpoints only), or {@code null} for
 *     the SDK's default credentials chain
 */
public record BucketAddress(String region, String bucket, URI endpoint, StaticCredentials credentials) {
  public BucketAddress {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
  }

  /** The part of the address that decides which SDK client signs for it. */
  ClientKey clientKey() {
    return new ClientKey(region, endpoint, credentials);
  }

  record ClientKey(String region, URI endpoint, StaticCredentials credentials) {}

  @Override
  public String toString() {
    // Bucket names are customer data: they stay out of logs and messages by default.
    return "BucketAddress[region=" + region + "]";
  }
}
