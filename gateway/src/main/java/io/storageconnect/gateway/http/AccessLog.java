package io.storageconnect.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
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
 * {"requestId":"7f0c...","method":"GET","route":"/v1/assets/{id}/play","asset":"demo-video",
 *  "account":"acme","status":206,"bytes":1048576,"durationMs":4.1,"source":"customer",
 *  "client":"10.0.0.7","completed":true}
 * </pre>
 */
final class AccessLog implements Handler<RoutingContext> {
  static final Logger log = LoggerFactory.getLogger("io.storageconnect.gateway.access");
  private static final String ACCOUNT = "accessLog.account";
  private static final Pattern ASSET = Pattern.compile("/v1/assets/([^/]+)/(original|play|thumbnail|renditions/[^/]+)");
  private static final Pattern ADMIN = Pattern.compile("/admin/v1/accounts/[^/]+/(storage(?:/policies|/verify)?|health)");

  /** Records the account an asset request turned out to belong to. */
  static void account(RoutingContext ctx, String accountId) {
    ctx.put(ACCOUNT, accountId);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (log.isInfoEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(ar -> log.info(line(ctx, start, ar.succeeded()).encode()));
    }
    ctx.next();
  }

  private static JsonObject line(RoutingContext ctx, long start, boolean completed) {
    HttpServerRequest request = ctx.request();
    String path = request.path() == null ? "" : request.path();
    JsonObject line = new JsonObject().put("requestId", RequestIds.of(ctx)).put("method", request.method().name());
    Matcher asset = ASSET.matcher(path);
    Matcher admin = ADMIN.matcher(path);
    if (asset.matches()) {
      String what = asset.group(2);
      line.put("route", "/v1/assets/{id}/" + (what.startsWith("renditions/") ? "renditions/{name}" : what));
      // The id only when it is well formed (it is checked before any use): no raw bytes of a
      // hostile path reach the log.
      String id = asset.group(1);
      if (io.storageconnect.gateway.catalog.FileCatalog.ASSET_ID.matcher(id).matches()) {
        line.put("asset", id);
      }
    } else if (admin.matches()) {
      line.put("route", "/admin/v1/accounts/{account}/" + admin.group(1));
    } else if (path.startsWith("/health/") || path.endsWith("/.well-known/openid-configuration") || path.endsWith("/.well-known/jwks.json")) {
      line.put("route", path.length() <= 128 && path.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? path : "other");
    } else {
      line.put("route", "other");
    }
    String account = ctx.get(ACCOUNT);
    if (account != null) {
      line.put("account", account);
    }
    var response = ctx.response();
    String source = response.headers().get("X-Delivery-Source");
    String fallback = response.headers().get("X-Delivery-Fallback");
    line.put("status", response.getStatusCode())
        .put("bytes", response.bytesWritten())
        .put("durationMs", Math.round((System.nanoTime() - start) / 10_000.0) / 100.0);
    if (source == null && asset.matches() && response.getStatusCode() < 400) {
      String what = asset.group(2);
      source = response.getStatusCode() == 302 ? "redirect"
          : what.equals("original") || what.equals("play") ? "customer" : "managed";
    }
    if (source != null) {
      line.put("source", source);
    }
    if (fallback != null) {
      line.put("fallback", fallback);
    }
    var remote = request.remoteAddress();
    if (remote != null && remote.hostAddress() != null) {
      line.put("client", remote.hostAddress());
    }
    return line.put("completed", completed);
  }
}
