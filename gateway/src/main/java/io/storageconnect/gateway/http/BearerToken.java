package io.storageconnect.gateway.http;

import io.storageconnect.gateway.failure.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Lets a request through only with {@code Authorization: Bearer <token>} (the admin API, metric
 * scrapes); otherwise 401 with the given message. Compared in constant time.
 */
final class BearerToken implements Handler<RoutingContext> {
  private final byte[] token;
  private final String message;

  BearerToken(String token, String message) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.message = message;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] presented =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    // MessageDigest.isEqual is constant-time for equal lengths.
    if (!MessageDigest.isEqual(presented, token)) {
      ctx.fail(GatewayException.unauthorized(message));
      return;
    }
    ctx.next();
  }
}
