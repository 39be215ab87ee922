package io.storageconnect.gateway.catalog;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Looks up assets by id. The file-backed catalog is the embedded default; a database-backed one can
 * implement the same method. Implementations never block the calling event loop.
 */
public interface AssetCatalog {
  /** The asset, or empty when there is none with this id. Fails only when the lookup itself fails. */
  Future<Optional<Asset>> find(String assetId);
}
