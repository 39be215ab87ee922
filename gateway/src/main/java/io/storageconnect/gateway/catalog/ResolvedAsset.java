package io.storageconnect.gateway.catalog;

import java.util.Optional;

/**
 * An asset together with the storage that holds its bytes: the account's connection for the
 * original, the managed storage for renditions and the thumbnail. Immutable.
 */
public record ResolvedAsset(Asset asset, StorageConnection connection, ManagedStorage managed) {

  public ObjectLocation original() {
    return new ObjectLocation(connection.accountId(), connection.address(), connection.objectKey(asset.originalKey()), false);
  }

  public Optional<ObjectLocation> rendition(String name) {
    return Optional.ofNullable(asset.renditions().get(name))
        .map(key -> new ObjectLocation(ObjectLocation.MANAGED, managed.address(), key, true));
  }

  public Optional<ObjectLocation> thumbnail() {
    return Optional.ofNullable(asset.thumbnailKey())
        .map(key -> new ObjectLocation(ObjectLocation.MANAGED, managed.address(), key, true));
  }
}
