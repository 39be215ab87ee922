package io.storageconnect.gateway;

import com.github.benmanes.caffeine.cache.Ticker;
import io.storageconnect.gateway.access.AuthOptions;
import io.storageconnect.gateway.access.ViewerAuthenticator;
import io.storageconnect.gateway.catalog.AssetResolver;
import io.storageconnect.gateway.catalog.CachedCatalog;
import io.storageconnect.gateway.catalog.FileCatalog;
import io.storageconnect.gateway.config.ConfigSource;
import io.storageconnect.gateway.config.GatewayConfig;
import io.storageconnect.gateway.reload.Reloader;
import io.storageconnect.gateway.access.OidcIssuer;
import io.storageconnect.gateway.access.RoleCredentials;
import io.storageconnect.gateway.access.SigningKey;
import io.storageconnect.gateway.catalog.StorageConnection;
import io.storageconnect.gateway.catalog.StorageConnections;
import io.storageconnect.gateway.http.AdminRoutes;
import io.storageconnect.gateway.http.AssetRoutes;
import java.util.LinkedHashMap;
import java.util.Map;
import io.storageconnect.gateway.http.OidcRoutes;
import io.storageconnect.gateway.http.Routes;
import io.storageconnect.gateway.metrics.GatewayMetrics;
import io.storageconnect.gateway.origin.AuditLog;
import java.time.Clock;
import io.storageconnect.gateway.resilience.GuardedOrigin;
import io.storageconnect.gateway.origin.BucketAddress;
import io.storageconnect.gateway.origin.S3Origin;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring: reads the files the configuration names, builds every component once, deploys the
 * HTTP verticles. The only place components are constructed and connected.
 */
public final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final S3Origin origin;
  private final GuardedOrigin guarded;
  private final RoleCredentials roles;
  private final String deploymentId;
  private final int port;
  private final io.storageconnect.gateway.http.Health health;
  private final Reloader reloader;
  private final long retireTimer;

  /** How often SDK clients no connection uses any more are looked for... */
  static final java.time.Duration RETIRE_EVERY = java.time.Duration.ofMinutes(1);
  /** ...and how long such a client must have been unused before it is closed. */
  static final java.time.Duration RETIRE_IDLE = java.time.Duration.ofMinutes(10);

  private Gateway(
      Vertx vertx, S3Origin origin, GuardedOrigin guarded, RoleCredentials roles, String deploymentId, int port,
      io.storageconnect.gateway.http.Health health, Reloader reloader, long retireTimer) {
    this.vertx = vertx;
    this.retireTimer = retireTimer;
    this.reloader = reloader;
    this.health = health;
    this.origin = origin;
    this.guarded = guarded;
    this.roles = roles;
    this.deploymentId = deploymentId;
    this.port = port;
  }

  /** The port the gateway listens on (the real one when configured with port 0). */
  public int port() {
    return port;
  }

  /** Live reload of the catalog and storage connections (SIGHUP, admin API, file poll). */
  public Reloader reloader() {
    return reloader;
  }

  /** Starts a gateway; fails with every key-file and catalog problem found, all at once. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, Clock.systemUTC());
  }

  /** @param breakerClock the circuit breakers' time (tests move it by hand) */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Clock breakerClock) {
    return start(vertx, config, breakerClock, null, GatewayMetrics.create());
  }

  /**
   * @param source where {@code config} came from, read again on a reload; {@code null}: a reload
   *     re-reads the catalog and connections files only
   * @param metrics the registry {@code /metrics} shows; Vert.x's own HTTP metrics appear in it when
   *     {@code vertx} was built by {@link GatewayMetrics#vertx}
   */
  public static Future<Gateway> start(
      Vertx vertx, GatewayConfig config, Clock breakerClock, ConfigSource source, GatewayMetrics metrics) {
    List<String> problems = new ArrayList<>();
    List<Future<AuthOptions.VerificationKey>> keys = new ArrayList<>();
    for (int i = 0; i < config.auth().keys().size(); i++) {
      GatewayConfig.KeyFile key = config.auth().keys().get(i);
      keys.add(read(vertx, key.path(), "auth.keys." + i + ".path", problems)
          .map(pem -> new AuthOptions.VerificationKey(key.algorithm(), pem)));
    }
    Future<String> catalogText = read(vertx, config.catalog().file(), "catalog.file", problems);
    List<Future<SigningKey>> oidcKeys = new ArrayList<>();
    if (config.oidc() != null) {
      for (int i = 0; i < config.oidc().keys().size(); i++) {
        GatewayConfig.OidcKey key = config.oidc().keys().get(i);
        String name = "oidc.keys." + i + ".path";
        oidcKeys.add(
            read(vertx, key.path(), name, problems)
                .map(pem -> SigningKey.fromPem(pem, key.signs()))
                .onFailure(e -> {
                  if (e instanceof IllegalArgumentException) {
                    synchronized (problems) {
                      problems.add(name + ": " + key.path() + " (" + e.getMessage() + ")");
                    }
                  }
                }));
      }
    }
    // Admin changes from an earlier run override the configuration's connections.
    Future<StorageConnections.Saved> saved = Future.succeededFuture(new StorageConnections.Saved(Map.of(), java.util.Set.of()));
    GatewayConfig.Admin admin = config.admin();
    if (admin != null && admin.connectionsFile() != null) {
      saved =
          vertx.fileSystem()
              .exists(admin.connectionsFile().toString())
              .compose(exists -> exists
                  ? read(vertx, admin.connectionsFile(), "admin.connectionsFile", problems)
                      .map(text -> {
                        synchronized (problems) {
                          return StorageConnections.parseFile(text, problems);
                        }
                      })
                  : Future.succeededFuture(new StorageConnections.Saved(Map.of(), java.util.Set.of())));
    }
    Future<StorageConnections.Saved> savedConnections = saved;
    List<Future<?>> all = new ArrayList<>(keys);
    all.add(catalogText);
    all.addAll(oidcKeys);
    all.add(savedConnections);
    return Future.join(all)
        .transform(
            done -> {
              FileCatalog catalog = null;
              StorageConnections.Saved savedState =
                  savedConnections.succeeded() ? savedConnections.result() : new StorageConnections.Saved(Map.of(), java.util.Set.of());
              Map<String, StorageConnection> connections = new LinkedHashMap<>(config.accounts());
              savedState.removed().forEach(connections::remove);
              connections.putAll(savedState.connections());
              if (catalogText.succeeded()) {
                try {
                  catalog = FileCatalog.parse(catalogText.result(), connections.keySet());
                } catch (FileCatalog.InvalidCatalogException e) {
                  problems.addAll(e.problems());
                }
              }
              if (!problems.isEmpty()) {
                return Future.failedFuture(new IllegalArgumentException("\n  " + String.join("\n  ", problems)));
              }
              return deploy(
                  vertx,
                  config,
                  keys.stream().map(Future::result).toList(),
                  oidcKeys.stream().map(Future::result).toList(),
                  savedState,
                  catalog,
                  breakerClock,
                  source,
                  metrics);
            });
  }

  private static Future<String> read(Vertx vertx, java.nio.file.Path path, String key, List<String> problems) {
    return vertx.fileSystem()
        .readFile(path.toString())
        .map(buffer -> buffer.toString(java.nio.charset.StandardCharsets.UTF_8))
        .onFailure(e -> {
          synchronized (problems) {
            problems.add(key + ": " + path + " (expected: a readable file)");
          }
        });
  }

  private static Future<Gateway> deploy(
      Vertx vertx,
      GatewayConfig config,
      List<AuthOptions.VerificationKey> keys,
      List<SigningKey> oidcKeys,
      StorageConnections.Saved saved,
      FileCatalog files,
      Clock breakerClock,
      ConfigSource source,
      GatewayMetrics metrics) {
    GatewayConfig.Auth auth = config.auth();
    var authenticator =
        new ViewerAuthenticator(
            vertx,
            new AuthOptions(
                auth.issuer(), auth.audiences(), keys, auth.leewaySeconds(), auth.originSecretHeader(), auth.originSecret()));
    var catalog =
        new CachedCatalog(
            vertx,
            files,
            config.catalog().cacheSize(),
            config.catalog().cacheTtl(),
            config.catalog().negativeCacheTtl(),
            Ticker.systemTicker());
    var http = S3Origin.httpClient(config.origin());
    OidcIssuer issuer = null;
    RoleCredentials roles = null;
    if (config.oidc() != null) {
      GatewayConfig.Oidc oidc = config.oidc();
      issuer = new OidcIssuer(vertx, oidc.issuer(), oidc.audience(), oidc.tokenLifetime(), oidcKeys, Clock.systemUTC());
      roles =
          new RoleCredentials(
              issuer, config.sts(), http, Clock.systemUTC(), Ticker.systemTicker(), config.origin().credentialMargin(),
              metrics.stsCalls());
    }
    var origin =
        new S3Origin(
            vertx, config.origin(), http, roles, Clock.systemUTC(), Ticker.systemTicker(),
            new AuditLog(roles).andThen(metrics), metrics.sdkPublisher());
    RoleCredentials roleCache = roles;
    var guarded = new GuardedOrigin(origin, config.breakers(), config.origin().firstByteTimeout(), breakerClock);
    var health = new io.storageconnect.gateway.http.Health(guarded);
    Map<String, com.github.benmanes.caffeine.cache.Cache<?, ?>> caches = new LinkedHashMap<>(origin.caches());
    caches.put("viewer_tokens", authenticator.cache());
    caches.put("catalog", catalog.cache());
    if (roles != null) {
      caches.put("role_credentials", roles.cache());
      metrics.credentials(roles);
    }
    metrics.caches(caches);
    metrics.breakers(guarded);
    metrics.sdkClients(origin::clientCount);
    var connections =
        new StorageConnections(
            vertx,
            config.accounts(),
            saved,
            config.admin() == null ? null : config.admin().connectionsFile(),
            replaced -> {
              // A changed connection must not keep using the old role's credentials.
              if (roleCache != null && replaced.address().role() != null) {
                roleCache.forget(replaced.accountId(), replaced.address().role().roleArn());
              }
              // Nor keep the old bucket's breaker and last failure in the health view.
              guarded.forget(replaced.accountId());
            });
    var reloader = new Reloader(vertx, source, config, files, catalog, connections, origin, roles != null, Clock.systemUTC());
    reloader.watch(config.reload().interval());
    metrics.reloads(reloader);
    var resolver = new AssetResolver(catalog, connections, config.managed());
    var routes =
        new Routes(
            new AssetRoutes(
                authenticator,
                resolver,
                guarded,
                config.delivery(),
                config.origin().readTimeout(),
                config.fallbackRenditions()),
            issuer == null ? null : new OidcRoutes(issuer),
            config.admin() == null
                ? null
                : new AdminRoutes(config.admin().token(), connections, origin, guarded, issuer, roles, config.admin().migrationPrincipalArn(), config.cors(), reloader),
            config.cors(),
            health,
            metrics,
            config.metrics());
    RoleCredentials closeRoles = roles;
    AtomicReference<GatewayVerticle> first = new AtomicReference<>();
    List<BucketAddress> buckets = new ArrayList<>();
    buckets.add(config.managed().address());
    connections.all().values().forEach(c -> buckets.add(c.address()));
    // SDK clients are built on a worker thread: their first construction blocks for a while.
    return vertx.executeBlocking(() -> {
          origin.prepare(buckets);
          return null;
        })
        .compose(v -> vertx.deployVerticle(
            () -> {
              var verticle = new GatewayVerticle(config.server(), routes);
              first.compareAndSet(null, verticle);
              return verticle;
            },
            new DeploymentOptions().setInstances(config.server().instances())))
        .map(
            id -> {
              int port = first.get().actualPort();
              log.info(
                  "gateway listening on {}:{} ({} instances, {} assets, {} storage connections)",
                  config.server().host(), port, config.server().instances(), files.size(), connections.all().size());
              long retireTimer = vertx.setPeriodic(RETIRE_EVERY.toMillis(), t -> retire(vertx, origin, connections, config.managed()));
              return new Gateway(vertx, origin, guarded, closeRoles, id, port, health, reloader, retireTimer);
            })
        .onFailure(
            e -> {
              reloader.close();
              if (closeRoles != null) {
                closeRoles.close();
              }
              guarded.close();
              origin.close();
            });
  }

  /**
   * Closes the SDK clients of connections replaced or removed (a changed role, region or keys gets
   * a new client; admin preflights build clients for connections never saved), once unused for
   * {@link #RETIRE_IDLE}. Without it each such change would keep a client for good.
   */
  private static void retire(Vertx vertx, S3Origin origin, StorageConnections connections, io.storageconnect.gateway.catalog.ManagedStorage managed) {
    List<BucketAddress> live = new ArrayList<>();
    live.add(managed.address());
    connections.all().values().forEach(c -> live.add(c.address()));
    vertx.executeBlocking(() -> origin.retire(live, RETIRE_IDLE), false)
        .onSuccess(closed -> {
          if (closed > 0) {
            log.info("closed {} SDK clients no storage connection uses any more ({} held)", closed, origin.clientCount());
          }
        })
        .onFailure(e -> log.warn("closing unused SDK clients failed ({})", e.getClass().getSimpleName()));
  }

  /**
   * The graceful stop (SIGTERM): readiness answers 503 at once; after {@code shutdownDelay} the
   * listener closes and requests in flight get up to the drain time to finish; then upstream
   * connections are released.
   */
  public Future<Void> drain(java.time.Duration shutdownDelay) {
    health.drain();
    log.info("draining: readiness is 503; the listener closes in {} ms", shutdownDelay.toMillis());
    io.vertx.core.Promise<Void> delayed = io.vertx.core.Promise.promise();
    if (shutdownDelay.isZero()) {
      delayed.complete();
    } else {
      vertx.setTimer(shutdownDelay.toMillis(), id -> delayed.complete());
    }
    return delayed.future().compose(v -> stop());
  }

  /** Stops serving (requests in flight get the drain time) and releases upstream connections. */
  public Future<Void> stop() {
    // Closing the SDK clients waits for their event loops to wind down (seconds): on a worker,
    // never on an event loop.
    reloader.close();
    vertx.cancelTimer(retireTimer);
    return vertx.undeploy(deploymentId).eventually(() -> vertx.executeBlocking(() -> {
      if (roles != null) {
        roles.close();
      }
      guarded.close();
      origin.close();
      return null;
    }, false)).mapEmpty();
  }
}
