package io.storageconnect.gateway.catalog;

import io.storageconnect.gateway.failure.GatewayException;
import io.vertx.core.Future;

/**
 * Asset id to where its bytes are: catalog lookup, then the owning account's storage connection.
 * Runs on the caller's event loop; never blocks.
 */
public final class AssetResolver {
  private final AssetCatalog catalog;
  private final StorageConnections connections;
  private final ManagedStorage managed;

  public AssetResolver(AssetCatalog catalog, StorageConnections connections, ManagedStorage managed) {
    this.catalog = catalog;
    this.connections = connections;
    this.managed = managed;
  }

  /** Fails with 404 {@code asset_not_found} for an unknown id. */
  public Future<ResolvedAsset> resolve(String assetId) {
    return catalog
        .find(assetId)
        .map(
            found -> {
              Asset asset = found.orElseThrow(() -> GatewayException.notFound("asset_not_found", "No asset with this id."));
              StorageConnection connection = connections.get(asset.accountId()).orElse(null);
              if (connection == null) {
                // A catalog entry whose account has no storage connection: an operator problem,
                // not the viewer's.
                throw new GatewayException(
                    503, "storage_not_connected", "The storage for this asset's account is not connected.");
              }
              return new ResolvedAsset(asset, connection, managed);
            });
  }
}
