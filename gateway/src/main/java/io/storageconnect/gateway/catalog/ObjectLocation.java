package io.storageconnect.gateway.catalog;

import io.storageconnect.gateway.origin.BucketAddress;

/**
 * Where one representation's bytes are.
 *
 * @param managed true for the platform's managed bucket (renditions, thumbnails), false for the
 *     customer's bucket
 */
public record ObjectLocation(BucketAddress bucket, String key, boolean managed) {}
