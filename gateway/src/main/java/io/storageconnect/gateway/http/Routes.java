package io.storageconnect.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The whole HTTP surface, in one place: request ids first, health, the OIDC issuer documents
 * (when roles are used), the asset API, and the one failure handler for everything.
 */
public final class Routes {
  private final AssetRoutes assets;
  private final OidcRoutes oidc;
  private final AdminRoutes admin;

  /**
   * @param oidc {@code null} when no storage connection uses a role
   * @param admin {@code null} when no admin token is configured
   */
  public Routes(AssetRoutes assets, OidcRoutes oidc, AdminRoutes admin) {
    this.assets = assets;
    this.oidc = oidc;
    this.admin = admin;
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    router.get("/health/live").handler(Routes::health);
    router.get("/health/ready").handler(Routes::health);
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

  private static void health(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end("{\"status\":\"UP\"}");
  }
}
