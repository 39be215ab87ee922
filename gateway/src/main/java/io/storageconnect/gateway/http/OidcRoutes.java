package io.storageconnect.gateway.http;

import io.storageconnect.gateway.access.OidcIssuer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the OpenID Connect discovery document and JWKS that AWS IAM fetches to verify the
 * gateway's web identity tokens, under the issuer URL's path. Public, cacheable for a short
 * while: a newly published key must reach IAM well before it signs.
 */
public final class OidcRoutes {
  /** How long IAM and proxies may cache the documents. */
  static final String CACHE_CONTROL = "public, max-age=300";

  private final OidcIssuer issuer;

  public OidcRoutes(OidcIssuer issuer) {
    this.issuer = issuer;
  }

  public void mount(Router router) {
    String base = issuer.path();
    router.get(base + "/.well-known/openid-configuration").handler(ctx -> json(ctx, issuer.discovery()));
    router.get(base + "/.well-known/jwks.json").handler(ctx -> json(ctx, issuer.jwks()));
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
        .end(body.encode());
  }
}
