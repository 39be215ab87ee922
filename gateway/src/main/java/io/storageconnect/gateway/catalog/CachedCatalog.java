package io.storageconnect.gateway.catalog;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * A Caffeine cache in front of another catalog. Concurrent lookups of one id share one load; a
 * failed lookup is not cached; an unknown id is remembered only briefly so a newly created asset
 * becomes visible quickly. A reload swaps the catalog behind it and drops only the ids that
 * changed. Futures complete on the caller's context; never blocks.
 */
public final class CachedCatalog implements AssetCatalog {
  private final Vertx vertx;
  /** Read inside the cache's load, which runs under the entry's lock: see {@link #replace}. */
  private volatile AssetCatalog delegate;
  private final AsyncCache<String, Optional<Asset>> cache;

  public CachedCatalog(
      Vertx vertx, AssetCatalog delegate, long maximumSize, Duration ttl, Duration negativeTtl, Ticker ticker) {
    this.vertx = vertx;
    this.delegate = delegate;
    this.cache =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(maximumSize)
            .expireAfter(
                Expiry.<String, Optional<Asset>>creating(
                    (id, asset) -> asset.isPresent() ? ttl : negativeTtl))
            .recordStats()
            .buildAsync();
  }

  /** The cache, for metrics (hit ratio, size). */
  public com.github.benmanes.caffeine.cache.Cache<?, ?> cache() {
    return cache.synchronous();
  }

  @Override
  public Future<Optional<Asset>> find(String assetId) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(
        cache.get(assetId, (id, executor) -> delegate.find(id).toCompletionStage().toCompletableFuture()),
        context);
  }

  /**
   * Serves lookups from {@code next} from now on and drops the cached answers (found or "no such
   * asset") of {@code ids}, the assets added, changed or removed; every other entry stays cached.
   * The swap comes before the invalidation, and a load reads the delegate while it holds its
   * entry's lock: a load racing with this either finished before the invalidation (and is dropped)
   * or reads {@code next}. A request already holding an asset keeps it.
   */
  public void replace(AssetCatalog next, Collection<String> ids) {
    delegate = next;
    cache.synchronous().invalidateAll(ids);
  }

  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }
}
