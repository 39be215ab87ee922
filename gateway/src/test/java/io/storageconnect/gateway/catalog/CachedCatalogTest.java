package io.storageconnect.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.FakeTime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Caffeine cache in front of the catalog, on injected time: one load per id however many ask
 * at once, found assets kept for the TTL, unknown ids for the short negative TTL, failed lookups
 * never kept. The catalog behind it is a second, counting implementation of {@link AssetCatalog}
 * whose answers the test releases by hand.
 */
class CachedCatalogTest {
  static final Asset CLIP = new Asset("clip", "acme", "originals/clip.mp4", "clip.mp4", null, Map.of(), null);

  Vertx vertx;
  FakeTime time;
  CountingCatalog behind;
  CachedCatalog cached;

  /** Answers each lookup when the test completes its promise; counts lookups. */
  static final class CountingCatalog implements AssetCatalog {
    final AtomicInteger lookups = new AtomicInteger();
    final List<Promise<Optional<Asset>>> pending = new ArrayList<>();

    @Override
    public synchronized Future<Optional<Asset>> find(String assetId) {
      lookups.incrementAndGet();
      Promise<Optional<Asset>> p = Promise.promise();
      pending.add(p);
      return p.future();
    }

    synchronized void answerAll(Optional<Asset> asset) {
      pending.forEach(p -> p.complete(asset));
      pending.clear();
    }

    synchronized void failAll() {
      pending.forEach(p -> p.fail(new IllegalStateException("catalog database down")));
      pending.clear();
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    time = new FakeTime(Instant.parse("2026-12-04T10:00:00Z"));
    behind = new CountingCatalog();
    cached = new CachedCatalog(vertx, behind, 1000, Duration.ofSeconds(60), Duration.ofSeconds(5), time);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void find_concurrentLookupsOfOneId_shareOneLoad() throws Exception {
    List<Future<Optional<Asset>>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(cached.find("clip"));
    }
    behind.answerAll(Optional.of(CLIP));

    for (Future<Optional<Asset>> f : all) {
      assertThat(await(f)).hasValue(CLIP);
    }
    assertThat(behind.lookups).hasValue(1);
  }

  @Test
  void find_foundAsset_keptForTheTtl_thenLoadedAgain() throws Exception {
    Future<Optional<Asset>> first = cached.find("clip");
    behind.answerAll(Optional.of(CLIP));
    await(first);

    time.advance(Duration.ofSeconds(59));
    assertThat(await(cached.find("clip"))).hasValue(CLIP);
    assertThat(behind.lookups).hasValue(1);

    time.advance(Duration.ofSeconds(2));
    Future<Optional<Asset>> reloaded = cached.find("clip");
    behind.answerAll(Optional.of(CLIP));
    assertThat(await(reloaded)).hasValue(CLIP);
    assertThat(behind.lookups).hasValue(2);
  }

  @Test
  void find_unknownId_rememberedOnlyForTheNegativeTtl() throws Exception {
    Future<Optional<Asset>> first = cached.find("new-asset");
    behind.answerAll(Optional.empty());
    assertThat(await(first)).isEmpty();

    time.advance(Duration.ofSeconds(4));
    assertThat(await(cached.find("new-asset"))).isEmpty();
    assertThat(behind.lookups).hasValue(1);

    time.advance(Duration.ofSeconds(2));
    Future<Optional<Asset>> created = cached.find("new-asset");
    behind.answerAll(Optional.of(CLIP));
    assertThat(await(created)).as("a newly created asset becomes visible").hasValue(CLIP);
  }

  @Test
  void find_failedLookup_isNotCached() throws Exception {
    Future<Optional<Asset>> failed = cached.find("clip");
    behind.failAll();
    assertThat(failed.toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(10));

    Future<Optional<Asset>> retried = cached.find("clip");
    behind.answerAll(Optional.of(CLIP));

    assertThat(await(retried)).hasValue(CLIP);
    assertThat(behind.lookups).hasValue(2);
  }

  @Test
  void replace_dropsOnlyTheGivenIds_othersStayCached() throws Exception {
    Asset film = new Asset("film", "acme", "originals/film.mov", "film.mov", null, Map.of(), null);
    cached = new CachedCatalog(vertx, new FileCatalog(Map.of("clip", CLIP, "film", film)), 1000, Duration.ofSeconds(60), Duration.ofSeconds(5), time);
    assertThat(await(cached.find("clip"))).hasValue(CLIP);
    assertThat(await(cached.find("film"))).hasValue(film);
    assertThat(await(cached.find("new"))).as("remembered as unknown").isEmpty();

    Asset moved = new Asset("clip", "acme", "originals/moved.mp4", "clip.mp4", null, Map.of(), null);
    Asset added = new Asset("new", "acme", "originals/new.mp4", "new.mp4", null, Map.of(), null);
    Asset filmElsewhere = new Asset("film", "acme", "originals/elsewhere.mov", "film.mov", null, Map.of(), null);
    cached.replace(new FileCatalog(Map.of("clip", moved, "film", filmElsewhere, "new", added)), List.of("clip", "new"));

    assertThat(await(cached.find("clip"))).hasValue(moved);
    assertThat(await(cached.find("new"))).as("no longer remembered as unknown").hasValue(added);
    assertThat(await(cached.find("film"))).as("not in the list: still the cached entry").hasValue(film);
  }

  @Test
  void replace_whileALoadFromTheOldCatalogIsPending_theOldAnswerIsNotKept() throws Exception {
    Future<Optional<Asset>> inFlight = cached.find("clip");
    Asset moved = new Asset("clip", "acme", "originals/moved.mp4", "clip.mp4", null, Map.of(), null);

    cached.replace(new FileCatalog(Map.of("clip", moved)), List.of("clip"));
    behind.answerAll(Optional.of(CLIP));

    assertThat(await(inFlight)).as("the lookup already under way answers what it read").hasValue(CLIP);
    assertThat(await(cached.find("clip"))).hasValue(moved);
    assertThat(behind.lookups).hasValue(1);
  }
}
