package io.storageconnect.gateway;

import io.storageconnect.gateway.config.GatewayConfig;
import io.storageconnect.gateway.http.Routes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * One HTTP server instance on one event loop; several instances share the listening port. The
 * components it serves are built once by {@link Gateway} and shared between instances.
 */
final class GatewayVerticle extends VerticleBase {
  private final GatewayConfig.Server settings;
  private final Routes routes;
  private HttpServer server;

  GatewayVerticle(GatewayConfig.Server settings, Routes routes) {
    this.settings = settings;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(settings.host())
            // Port 0 would give each instance its own random port, and the one port announced
            // would be served by one event loop only; Vert.x shares a random port among instances
            // when it is negative.
            .setPort(settings.port() == 0 ? -1 : settings.port())
            // Media is never compressed (a 206 must describe the stored bytes); JSON errors are tiny.
            .setCompressionSupported(false)
            .setMaxInitialLineLength(8192)
            .setMaxHeaderSize(16384)
            .setIdleTimeout(120);
    server = vertx.createHttpServer(options).requestHandler(routes.router(vertx)).connectionHandler(routes.metrics()::connectionOpened);
    // This event loop's lag: how late a periodic tick runs (a blocked or overloaded loop shows).
    routes.metrics().watchEventLoop(vertx);
    return server.listen();
  }

  /**
   * Undeployment: stop accepting, let requests in flight finish for up to the drain time (HTTP/1.1
   * connections close after their current response, HTTP/2 ones get GOAWAY), then close the rest.
   */
  @Override
  public Future<?> stop() {
    return server.shutdown(settings.drainTime().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  int actualPort() {
    return server.actualPort();
  }
}
