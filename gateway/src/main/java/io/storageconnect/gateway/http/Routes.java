package io.storageconnect.gateway.http;

import io.storageconnect.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The whole HTTP surface, in one place: request ids first, health, CORS for the asset API (when
 * origins are configured), the OIDC issuer documents
 * (when roles are used), the asset API, and the one failure handler for everything.
 */
public final class Routes {
  private final AssetRoutes assets;
  private final OidcRoutes oidc;
  private final AdminRoutes admin;
  private final GatewayConfig.Cors cors;
  private final Health health;
  private final io.storageconnect.gateway.metrics.GatewayMetrics metrics;
  private final GatewayConfig.Metrics metricsConfig;

  /** Request headers a cross-origin player may send. */
  public static final List<String> CORS_REQUEST_HEADERS =
      List.of("Authorization", "Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range", "X-Request-Id");

  /** Response headers a cross-origin player may read. */
  public static final List<String> CORS_EXPOSED_HEADERS =
      List.of("Content-Range", "Content-Length", "Accept-Ranges", "ETag", "Last-Modified", "Content-Disposition",
          "X-Delivery-Source", "X-Delivery-Fallback", "X-Request-Id", "Retry-After", "Link");

  /**
   * @param oidc {@code null} when no storage connection uses a role
   * @param admin {@code null} when no admin token is configured
   * @param cors allowed origins of browser players (none: no CORS headers at all)
   */
  public Routes(
      AssetRoutes assets, OidcRoutes oidc, AdminRoutes admin, GatewayConfig.Cors cors, Health health,
      io.storageconnect.gateway.metrics.GatewayMetrics metrics, GatewayConfig.Metrics metricsConfig) {
    this.health = health;
    this.metrics = metrics;
    this.metricsConfig = metricsConfig;
    this.assets = assets;
    this.oidc = oidc;
    this.admin = admin;
    this.cors = cors;
  }

  public io.storageconnect.gateway.metrics.GatewayMetrics metrics() {
    return metrics;
  }

  /**
   * Drops every header a half-built answer had set except the CORS grant, {@code Vary} and
   * {@code Connection} (draining), which the router set for the request, not for a
   * representation: a player on another origin must be able to read whatever is sent instead (an
   * error, or a proxy standing in for the original), and a draining replica still closes.
   */
  static void clearKeepingCorsGrant(io.vertx.core.http.HttpServerResponse response) {
    List<java.util.Map.Entry<String, String>> kept = new java.util.ArrayList<>();
    response.headers().forEach(h -> {
      String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
      if (name.startsWith("access-control-") || name.equals("vary") || name.equals("connection")) {
        kept.add(h);
      }
    });
    response.headers().clear();
    kept.forEach(h -> response.headers().add(h.getKey(), h.getValue()));
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    router.route().handler(new AccessLog(metrics));
    router.route().handler(ctx -> {
      // Every answer, JSON ones included: browsers never guess another type for it.
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      if (health.draining()) {
        // Clients move to another replica instead of reusing a connection about to close.
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      }
      ctx.next();
    });
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    if (metricsConfig.enabled()) {
      var scrape = metrics.scrapeHandler(vertx);
      var route = router.get("/metrics");
      if (metricsConfig.token() != null) {
        route.handler(new BearerToken(metricsConfig.token(), "A metrics token is required.", "This metrics token is not valid."));
      }
      route.handler(scrape);
    }
    if (!cors.allowedOrigins().isEmpty()) {
      // Exact origins only, without credentials (viewer tokens travel in Authorization or the
      // URL, never in cookies): a player elsewhere may fetch ranges and read Content-Range.
      CorsHandler handler =
          CorsHandler.create()
              .addOrigins(cors.allowedOrigins())
              .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS))
              .allowedHeaders(Set.copyOf(CORS_REQUEST_HEADERS))
              .exposedHeaders(Set.copyOf(CORS_EXPOSED_HEADERS))
              .allowCredentials(false)
              .maxAgeSeconds((int) cors.maxAge().toSeconds());
      router.route("/v1/*").handler(handler);
      // The answer depends on Origin even when there is one allowed origin (vertx-web adds Vary
      // only for several): a shared cache must not hand a CORS-less copy to a browser.
      router.route("/v1/*").handler(ctx -> {
        if (!ctx.response().headers().contains(HttpHeaders.VARY, "Origin", true)) {
          ctx.response().headers().add(HttpHeaders.VARY, "Origin");
        }
        ctx.next();
      });
    }
    if (oidc != null) {
      oidc.mount(router);
    }
    assets.mount(router);
    if (admin != null) {
      admin.mount(router);
    }
    FailureHandler failures = new FailureHandler();
    router.route().failureHandler(failures);
    // Unmatched paths and methods reach the failure handler too, for one error format.
    router.errorHandler(404, failures);
    router.errorHandler(405, failures);
    return router;
  }
}
