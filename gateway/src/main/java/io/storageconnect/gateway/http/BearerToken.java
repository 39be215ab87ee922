package io.storageconnect.gateway.http;

import io.storageconnect.gateway.failure.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Lets a request through only with {@code Authorization: Bearer <token>} (the admin API, metric
 * scrapes); otherwise 401, saying whether the token was missing or wrong. Compared in constant time.
 */
final class BearerToken implements Handler<RoutingContext> {
  private final byte[] token;
  private final String missing;
  private final String invalid;

  /**
   * @param missing the 401's message when no bearer token came
   * @param invalid the 401's message when another token came
   */
  BearerToken(String token, String missing, String invalid) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.missing = missing;
    this.invalid = invalid;
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
      ctx.fail(GatewayException.unauthorized(presented.length == 0 ? missing : invalid));
      return;
    }
    ctx.next();
  }
}
