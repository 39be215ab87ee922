package io.storageconnect.gateway.catalog;

import io.storageconnect.gateway.origin.BucketAddress;

/**
 * Where one representation's bytes are.
 *
 * @param owner the platform account whose storage connection holds it, or {@link #MANAGED} for
 *     the platform's managed bucket; a bucket's circuit breaker is kept per owner and bucket
 * @param managed true for the platform's managed bucket (renditions, thumbnails), false for the
 *     customer's bucket
 */
public record ObjectLocation(String owner, BucketAddress bucket, String key, boolean managed) {
  /** The owner of managed-bucket locations. */
  public static final String MANAGED = "managed";
}
