package io.storageconnect.gateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code io.storageconnect.gateway.access} logger, written when the response is over (or
 * the connection is gone): request id, method, route template (never the raw path, never the
 * query: a viewer token may be in it), asset, account, status, bytes sent, duration, delivery
 * source and fallback reason, client address. {@code Authorization} and {@code ?token=} are never
 * read here, so they cannot leak.
 *
 * <pre>
 * {"log":"access","requestId":"7f0c...","method":"GET","route":"/v1/assets/{id}/play","asset":"demo-video",
 *  "account":"acme","status":206,"bytes":1048576,"durationMs":4.1,"source":"customer",
 *  "client":"10.0.0.7","completed":true}
 * </pre>
 */
final class AccessLog implements Handler<RoutingContext> {
  static final Logger log = LoggerFactory.getLogger("io.storageconnect.gateway.access");
  private static final String ACCOUNT = "accessLog.account";
  private static final Pattern ASSET = Pattern.compile("/v1/assets/([^/]+)/(original|play|thumbnail|renditions/[^/]+)");
  private static final Pattern ADMIN = Pattern.compile("/admin/v1/accounts/[^/]+/(storage(?:/policies|/verify)?|health)");
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
  /** Fixed paths logged as they are: health, the admin health view and reload, the OIDC documents. */
  private static final Pattern KNOWN = Pattern.compile("/health/(live|ready)|/metrics|/admin/v1/(health|reload)");
  private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH");

  /** Records the account an asset request turned out to belong to. */
  static void account(RoutingContext ctx, String accountId) {
    ctx.put(ACCOUNT, accountId);
  }

  private final io.storageconnect.gateway.metrics.GatewayMetrics metrics;

  /** @param metrics counts bytes by delivery source and fallbacks by reason, or {@code null} */
  AccessLog(io.storageconnect.gateway.metrics.GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    boolean logging = log.isInfoEnabled();
    if (logging || metrics != null) {
      long start = System.nanoTime();
      ctx.addEndHandler(ar -> {
        String path = ctx.request().path() == null ? "" : ctx.request().path();
        Matcher asset = ASSET.matcher(path);
        boolean isAsset = asset.matches();
        String route = route(path, isAsset ? asset : null);
        String method = METHODS.contains(ctx.request().method().name()) ? ctx.request().method().name() : "OTHER";
        var response = ctx.response();
        if (logging) {
          // Ended means every byte went to the connection. Not ar alone: on HTTP/2 a stream closes
          // as its last frame is written and vertx-web reports that close ("Connection closed")
          // before the end, for every response ended outside the request's first dispatch.
          log.info(line(ctx, start, ar.succeeded() || response.ended() || wholeBodyWritten(response), isAsset ? asset : null, route, method));
        }
        int status = response.getStatusCode();
        if (metrics != null) {
          metrics.request(route, method, status, System.nanoTime() - start);
        }
        // Deliveries are answers with a body or a redirect: not HEAD, 304 or errors.
        if (metrics != null && isAsset && ctx.request().method() == io.vertx.core.http.HttpMethod.GET && status < 400 && status != 304) {
          metrics.delivered(source(asset.group(2), response), response.headers().get("X-Delivery-Fallback"), response.bytesWritten());
        }
      });
    }
    ctx.next();
  }

  /**
   * Every byte the response announced went to the connection, though it could not be ended: the
   * client closed as soon as it had them all.
   */
  private static boolean wholeBodyWritten(io.vertx.core.http.HttpServerResponse response) {
    String length = response.headers().get(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH);
    if (length == null || !response.headWritten()) {
      return false;
    }
    try {
      long announced = Long.parseLong(length);
      return announced > 0 && response.bytesWritten() == announced;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Where an asset response's bytes came from, or {@code null} for an error. */
  private static String source(String what, io.vertx.core.http.HttpServerResponse response) {
    String source = response.headers().get("X-Delivery-Source");
    int status = response.getStatusCode();
    if (source == null && what != null && status < 400) {
      source = status == 302 ? "redirect" : what.equals("original") || what.equals("play") ? "customer" : "managed";
    }
    return source;
  }

  /**
   * The line, written by hand: every value is safe JSON by construction (the request id matches
   * {@code [A-Za-z0-9._:-]} or is a UUID, the asset id and account id are checked against their
   * syntax, the rest are fixed words, numbers and an IP address), and at tens of thousands of
   * requests a second a JSON tree per line was a fifth of the gateway's CPU.
   */
  /**
   * The route template of a path: a fixed set (the access log's {@code route} and the metrics'
   * label), never the raw path.
   *
   * @param asset the path's match of an asset route, or {@code null}
   */
  static String route(String path, Matcher asset) {
    if (asset != null) {
      String what = asset.group(2);
      return switch (what) {
        case "original" -> "/v1/assets/{id}/original";
        case "play" -> "/v1/assets/{id}/play";
        case "thumbnail" -> "/v1/assets/{id}/thumbnail";
        default -> "/v1/assets/{id}/renditions/{name}";
      };
    }
    Matcher admin = ADMIN.matcher(path);
    if (admin.matches()) {
      return "/admin/v1/accounts/{account}/" + admin.group(1);
    }
    if (KNOWN.matcher(path).matches()) {
      return path;
    }
    if (path.endsWith("/.well-known/openid-configuration") || path.endsWith("/.well-known/jwks.json")) {
      return "{issuer}" + path.substring(path.lastIndexOf("/.well-known/"));
    }
    return "other";
  }

  /** @param asset the path's match of an asset route, or {@code null} */
  static String line(RoutingContext ctx, long start, boolean completed, Matcher asset, String route, String method) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"log\":\"access\",\"requestId\":\"").append(RequestIds.of(ctx)).append("\",\"method\":\"")
        .append(method).append("\",\"route\":\"").append(route).append('"');
    String what = null;
    if (asset != null) {
      what = asset.group(2);
      // The id only when it is well formed (it is checked before any use): no raw bytes of a
      // hostile path reach the log.
      String id = asset.group(1);
      if (io.storageconnect.gateway.catalog.FileCatalog.ASSET_ID.matcher(id).matches()) {
        b.append(",\"asset\":\"").append(id).append('"');
      }
    }
    String account = ctx.get(ACCOUNT);
    if (account != null && SAFE.matcher(account).matches()) {
      b.append(",\"account\":\"").append(account).append('"');
    }
    var response = ctx.response();
    int status = response.getStatusCode();
    b.append(",\"status\":").append(status).append(",\"bytes\":").append(response.bytesWritten());
    long micros = (System.nanoTime() - start) / 1000;
    b.append(",\"durationMs\":").append(micros / 1000).append('.')
        .append((char) ('0' + micros / 100 % 10)).append((char) ('0' + micros / 10 % 10)).append((char) ('0' + micros % 10));
    String source = source(what, response);
    if (source != null) {
      b.append(",\"source\":\"").append(source).append('"');
    }
    String fallback = response.headers().get("X-Delivery-Fallback");
    if (fallback != null) {
      b.append(",\"fallback\":\"").append(fallback).append('"');
    }
    var remote = ctx.request().remoteAddress();
    if (remote != null && remote.hostAddress() != null) {
      b.append(",\"client\":\"").append(remote.hostAddress()).append('"');
    }
    return b.append(",\"completed\":").append(completed).append('}').toString();
  }
}
