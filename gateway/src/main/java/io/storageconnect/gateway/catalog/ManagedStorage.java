package io.storageconnect.gateway.catalog;

import io.storageconnect.gateway.origin.BucketAddress;
import java.util.Objects;

/** The platform's own bucket, holding renditions and thumbnails of every account. */
public record ManagedStorage(BucketAddress address) {
  public ManagedStorage {
    Objects.requireNonNull(address, "address");
  }
}
