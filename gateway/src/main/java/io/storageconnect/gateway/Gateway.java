package io.storageconnect.gateway;

import com.github.benmanes.caffeine.cache.Ticker;
import io.storageconnect.gateway.access.AuthOptions;
import io.storageconnect.gateway.access.ViewerAuthenticator;
import io.storageconnect.gateway.catalog.AssetResolver;
import io.storageconnect.gateway.catalog.CachedCatalog;
import io.storageconnect.gateway.catalog.FileCatalog;
import io.storageconnect.gateway.config.GatewayConfig;
import io.storageconnect.gateway.http.AssetRoutes;
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
  private final String deploymentId;
  private final int port;

  private Gateway(Vertx vertx, S3Origin origin, String deploymentId, int port) {
    this.vertx = vertx;
    this.origin = origin;
    this.deploymentId = deploymentId;
    this.port = port;
  }

  /** The port the gateway listens on (the real one when configured with port 0). */
  public int port() {
    return port;
  }

  /** Starts a gateway; fails with every catalog or key-file problem found. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return loadKeys(vertx, config.auth())
        .compose(
            keys ->
                vertx.fileSystem()
                    .readFile(config.catalog().file().toString())
                    .recover(e -> Future.failedFuture(new IllegalArgumentException("catalog.file: cannot be read (" + config.catalog().file() + ")")))
                    .map(
                        text -> {
                          try {
                            return FileCatalog.parse(text.toString(), config.accounts().keySet());
                          } catch (FileCatalog.InvalidCatalogException e) {
                            throw new IllegalArgumentException(e.getMessage());
                          }
                        })
                    .compose(catalog -> deploy(vertx, config, keys, catalog)));
  }

  private static Future<Gateway> deploy(
      Vertx vertx, GatewayConfig config, List<AuthOptions.VerificationKey> keys, FileCatalog files) {
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
    var origin = new S3Origin(vertx, config.origin(), Ticker.systemTicker());
    var resolver = new AssetResolver(catalog, config.accounts(), config.managed());
    var routes = new AssetRoutes(authenticator, resolver, origin, config.delivery(), config.origin().readTimeout());
    AtomicReference<GatewayVerticle> first = new AtomicReference<>();
    List<BucketAddress> buckets = new ArrayList<>();
    buckets.add(config.managed().address());
    config.accounts().values().forEach(c -> buckets.add(c.address()));
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
                  config.server().host(), port, config.server().instances(), files.size(), config.accounts().size());
              return new Gateway(vertx, origin, id, port);
            })
        .onFailure(e -> origin.close());
  }

  private static Future<List<AuthOptions.VerificationKey>> loadKeys(Vertx vertx, GatewayConfig.Auth auth) {
    List<Future<AuthOptions.VerificationKey>> reads = new ArrayList<>();
    for (int i = 0; i < auth.keys().size(); i++) {
      GatewayConfig.KeyFile key = auth.keys().get(i);
      String name = "auth.keys." + i + ".path";
      reads.add(
          vertx.fileSystem()
              .readFile(key.path().toString())
              .recover(e -> Future.failedFuture(new IllegalArgumentException(name + ": cannot be read (" + key.path() + ")")))
              .map(pem -> new AuthOptions.VerificationKey(key.algorithm(), pem.toString())));
    }
    return Future.all(reads).map(all -> all.list());
  }

  /** Stops serving and releases upstream connections. */
  public Future<Void> stop() {
    return vertx.undeploy(deploymentId).eventually(() -> {
      origin.close();
      return Future.succeededFuture();
    });
  }
}
