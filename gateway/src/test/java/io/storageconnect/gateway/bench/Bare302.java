package io.storageconnect.gateway.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;

/**
 * The framework's ceiling for the redirect benchmark (loadtest/bench.sh): a bare Vert.x HTTP
 * server answering every request with a fixed 302, on as many event loops as the gateway uses.
 * What the gateway adds over it is token verification, resolution, metadata and presigning.
 *
 * <p>Usage: {@code Bare302 <port>}; stops with the process.
 */
public final class Bare302 {
  private Bare302() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int instances = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions());
    vertx.deployVerticle(
            () -> new io.vertx.core.VerticleBase() {
              @Override
              public io.vertx.core.Future<?> start() {
                return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                    .requestHandler(req -> req.response()
                        .setStatusCode(302)
                        .putHeader("Location", "http://127.0.0.1:1/bucket/key?X-Amz-Signature=0")
                        .putHeader("Cache-Control", "no-store")
                        .end())
                    .listen();
              }
            },
            new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("bare 302 listening on " + port + " (" + instances + " event loops)"))
        .onFailure(e -> {
          System.err.println("bare 302 failed: " + e.getMessage());
          System.exit(1);
        });
  }
}
