package io.storageconnect.gateway.http;

import io.storageconnect.gateway.catalog.ObjectLocation;
import io.storageconnect.gateway.resilience.GuardedOrigin;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: it should be sent traffic —
 * configuration and catalog are loaded (the gateway serves nothing before they are) and it is not
 * draining after SIGTERM. The managed bucket's state is reported ({@code "managed":
 * "unreachable"} while its breaker is open) but does not fail readiness: every replica would see
 * the same outage at once, leave the load balancer together, and — with no traffic to probe the
 * bucket — never come back, while downloads and playback of originals do not need that bucket.
 * Never a bucket name or a secret.
 */
public final class Health {
  private final GuardedOrigin origin;
  private volatile boolean draining;

  public Health(GuardedOrigin origin) {
    this.origin = origin;
  }

  /** From now on readiness answers 503: the process is about to stop. */
  public void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  void live(RoutingContext ctx) {
    answer(ctx, 200, new JsonObject().put("status", "UP"));
  }

  void ready(RoutingContext ctx) {
    if (draining) {
      answer(ctx, 503, new JsonObject().put("status", "DRAINING"));
      return;
    }
    boolean managedDown = origin.breakers(ObjectLocation.MANAGED).stream().anyMatch(b -> "OPEN".equals(b.state()));
    answer(ctx, 200, new JsonObject().put("status", "UP").put("managed", managedDown ? "unreachable" : "ok"));
  }

  private static void answer(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.encode());
  }
}
