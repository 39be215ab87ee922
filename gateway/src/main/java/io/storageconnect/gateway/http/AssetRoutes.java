package io.storageconnect.gateway.http;

import io.storageconnect.gateway.access.Action;
import io.storageconnect.gateway.access.Grant;
import io.storageconnect.gateway.access.ViewerAuthenticator;
import io.storageconnect.gateway.catalog.AssetResolver;
import io.storageconnect.gateway.catalog.DeliveryMode;
import io.storageconnect.gateway.catalog.FileCatalog;
import io.storageconnect.gateway.catalog.ObjectLocation;
import io.storageconnect.gateway.catalog.ResolvedAsset;
import io.storageconnect.gateway.catalog.StorageConnection;
import io.storageconnect.gateway.failure.ArchivedObjectException;
import io.storageconnect.gateway.failure.GatewayException;
import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.resilience.Fallback;
import io.storageconnect.gateway.resilience.GuardedOrigin;
import java.util.List;
import java.util.Optional;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The viewer and CDN API, {@code /v1/assets/{id}/...}. Each handler is a flat chain: validate the
 * path, authenticate, resolve the asset, authorize the action, then stream or redirect. Runs on
 * the event loop; never blocks.
 *
 * <pre>
 * GET|HEAD /v1/assets/{id}/original            download (redirect or stream, per configuration)
 * GET|HEAD /v1/assets/{id}/play                playback of the original, streamed, inline
 * GET|HEAD /v1/assets/{id}/renditions/{name}   managed rendition, streamed
 * GET|HEAD /v1/assets/{id}/thumbnail           managed thumbnail, streamed
 * </pre>
 */
public final class AssetRoutes {
  private final ViewerAuthenticator authenticator;
  private final AssetResolver resolver;
  private final ObjectResponder responder;
  private final DeliveryOptions options;
  private final Fallback fallback;

  /**
   * @param idleTimeout longest silence of the origin mid-body before the response is reset
   * @param fallbackPreference rendition names, best first, for playback when the original
   *     cannot be read
   */
  public AssetRoutes(
      ViewerAuthenticator authenticator,
      AssetResolver resolver,
      GuardedOrigin origin,
      DeliveryOptions options,
      java.time.Duration idleTimeout,
      List<String> fallbackPreference) {
    this.authenticator = authenticator;
    this.resolver = resolver;
    this.fallback = new Fallback(fallbackPreference);
    this.responder = new ObjectResponder(origin, options, idleTimeout, java.time.Clock.systemUTC());
    this.options = options;
  }

  /** Adds the asset API to a router. */
  public void mount(Router router) {
    router.route("/v1/assets/:id/original").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::original);
    router.route("/v1/assets/:id/play").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::play);
    router
        .route("/v1/assets/:id/renditions/:name")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(this::rendition);
    router.route("/v1/assets/:id/thumbnail").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::thumbnail);
  }

  private void original(RoutingContext ctx) {
    DeliveryMode requested = requestedMode(ctx);
    boolean proxyWanted = "proxy".equals(ctx.request().getParam("fallback"));
    authorized(ctx, Action.DOWNLOAD)
        .compose(
            access -> {
              ResolvedAsset asset = access.asset();
              Representation rep =
                  new Representation(
                      asset.original(), asset.asset().fileName(), asset.asset().contentType(), false, cacheControl(access.grant()));
              Future<Void> sent =
                  switch (deliveryMode(access, requested)) {
                    case REDIRECT -> responder.redirect(ctx, rep);
                    case STREAM -> responder.stream(ctx, rep);
                  };
              // A download is never silently substituted: the proxy only on ?fallback=proxy,
              // otherwise a clear error that links to it.
              return sent.recover(
                  e -> {
                    Optional<Fallback.Reason> reason = fallbackReason(ctx, e);
                    if (reason.isEmpty()) {
                      return Future.failedFuture(e);
                    }
                    Optional<String> proxy = fallback.proxy(asset.asset().renditions());
                    if (proxyWanted && proxy.isPresent()) {
                      return streamProxy(ctx, asset, proxy.get(), reason.get(), false);
                    }
                    return Future.failedFuture(downloadError(e, reason.get(), asset, proxy));
                  });
            })
        .onFailure(ctx::fail);
  }

  /** Seconds a download client should wait when the breaker says nothing more precise. */
  private static final long DEFAULT_RETRY_AFTER_SECONDS = 5;

  /**
   * The download error for an original that cannot be read: 409 original_archived (with the
   * restore state), 404 original_missing, 503 origin_unavailable with Retry-After, or 502
   * origin_misconfigured; each with a {@code Link} to the managed proxy when there is one.
   */
  private static GatewayException downloadError(
      Throwable e, Fallback.Reason reason, ResolvedAsset asset, Optional<String> proxy) {
    GatewayException error =
        switch (reason) {
          case ARCHIVED, RESTORING ->
              e instanceof ArchivedObjectException archived
                  ? archived
                  // S3 refused the GET (InvalidObjectState) after fresh metadata still said readable.
                  : new ArchivedObjectException(true, null, false);
          case MISSING -> GatewayException.notFound("original_missing", "The original of this asset is missing from its storage.");
          case UNREACHABLE -> {
            long retry =
                e instanceof OriginException oe && oe.retryAfter().isPresent()
                    ? Math.max(1, oe.retryAfter().get().toSeconds())
                    : DEFAULT_RETRY_AFTER_SECONDS;
            yield new GatewayException(503, "origin_unavailable", "The storage holding the original does not answer; retry later.", e)
                .withHeader("Retry-After", Long.toString(retry))
                .withDetail("retryAfterSeconds", retry);
          }
          case MISCONFIGURED ->
              new GatewayException(502, "origin_misconfigured", "The storage connection for this account is misconfigured.", e);
        };
    proxy.ifPresent(
        name -> {
          String path = "/v1/assets/" + asset.asset().id() + "/renditions/" + name;
          error.withHeader("Link", "<" + path + ">; rel=\"alternate\"; title=\"managed proxy\"").withDetail("proxy", path);
        });
    return error;
  }

  private void play(RoutingContext ctx) {
    authorized(ctx, Action.PLAY)
        .compose(
            access -> {
              ResolvedAsset asset = access.asset();
              return responder
                  .stream(
                      ctx,
                      new Representation(
                          asset.original(), asset.asset().fileName(), asset.asset().contentType(), true, cacheControl(access.grant())))
                  .recover(
                      e -> {
                        // Players keep playing: the best managed proxy instead of the original.
                        Optional<Fallback.Reason> reason = fallbackReason(ctx, e);
                        Optional<String> proxy = fallback.proxy(asset.asset().renditions());
                        if (reason.isPresent() && proxy.isPresent()) {
                          return streamProxy(ctx, asset, proxy.get(), reason.get(), true);
                        }
                        return Future.failedFuture(e);
                      });
            })
        .onFailure(ctx::fail);
  }

  /** Why the original could not be served, when a proxy may stand in; never once bytes were sent. */
  private static Optional<Fallback.Reason> fallbackReason(RoutingContext ctx, Throwable e) {
    return ctx.response().headWritten() ? Optional.empty() : Fallback.reason(e);
  }

  /**
   * The proxy in place of the original: its own ETag (never the original's, so an If-Range for
   * the original yields the whole proxy), never stored by a CDN under the original's URL, and
   * marked for the client.
   */
  private Future<Void> streamProxy(RoutingContext ctx, ResolvedAsset asset, String name, Fallback.Reason reason, boolean inline) {
    String requestId = RequestIds.of(ctx);
    // The original's headers go; the CORS grant stays, or a player on another origin that reads
    // ranges with fetch could not read the stand-in (found by browser.BrowserPlaybackTest).
    Routes.clearKeepingCorsGrant(ctx.response());
    ctx.response()
        .putHeader(RequestIds.HEADER, requestId)
        .putHeader("X-Delivery-Source", "managed-proxy")
        .putHeader("X-Delivery-Fallback", reason.wireName());
    ObjectLocation location = asset.rendition(name).orElseThrow();
    return responder.stream(ctx, new Representation(location, fileName(location), null, inline, "no-store", true));
  }

  private void rendition(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!FileCatalog.RENDITION_NAME.matcher(name).matches()) {
      ctx.fail(GatewayException.badRequest("invalid_rendition_name", "Rendition names are 1-64 of [A-Za-z0-9._-]."));
      return;
    }
    authorized(ctx, Action.RENDITIONS)
        .compose(
            access -> {
              ObjectLocation location =
                  access.asset()
                      .rendition(name)
                      .orElseThrow(() -> GatewayException.notFound("rendition_not_found", "This asset has no such rendition."));
              return responder.stream(
                  ctx, new Representation(location, fileName(location), null, true, cacheControl(access.grant())));
            })
        .onFailure(ctx::fail);
  }

  private void thumbnail(RoutingContext ctx) {
    authorized(ctx, Action.THUMBNAIL)
        .compose(
            access -> {
              ObjectLocation location =
                  access.asset()
                      .thumbnail()
                      .orElseThrow(() -> GatewayException.notFound("thumbnail_not_found", "This asset has no thumbnail."));
              return responder.stream(
                  ctx, new Representation(location, fileName(location), null, true, cacheControl(access.grant())));
            })
        .onFailure(ctx::fail);
  }

  private record Access(Grant grant, ResolvedAsset asset) {}

  /** Validates the id, authenticates, resolves and authorizes; fails with the right 4xx. */
  private Future<Access> authorized(RoutingContext ctx, Action action) {
    String id = ctx.pathParam("id");
    if (id == null || !FileCatalog.ASSET_ID.matcher(id).matches()) {
      return Future.failedFuture(
          GatewayException.badRequest("invalid_asset_id", "Asset ids are 1-128 of [A-Za-z0-9._-], starting alphanumeric."));
    }
    return authenticator
        .authenticate(bearerToken(ctx), ctx.request().getHeader(authenticator.originSecretHeader()))
        .compose(
            grant -> {
              // Authorize against the token's own asset list before touching the catalog, so a
              // token cannot probe which ids exist.
              if (!grant.originPull() && !grant.assetIds().contains(id)) {
                return Future.failedFuture(GatewayException.forbidden("This token does not open this asset."));
              }
              return resolver
                  .resolve(id)
                  .map(
                      asset -> {
                        if (!grant.allows(asset.asset().accountId(), id, action)) {
                          throw GatewayException.forbidden("This token does not allow " + action.wireName() + " of this asset.");
                        }
                        AccessLog.account(ctx, asset.asset().accountId());
                        return new Access(grant, asset);
                      });
            });
  }

  private static String bearerToken(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    // For <video src> and download links, which cannot send headers.
    return ctx.request().getParam("token");
  }

  private DeliveryMode requestedMode(RoutingContext ctx) {
    String value = ctx.request().getParam("delivery");
    if (value == null) {
      return null;
    }
    return DeliveryMode.parse(value)
        .orElseThrow(() -> GatewayException.badRequest("invalid_delivery", "delivery must be redirect or stream."));
  }

  private DeliveryMode deliveryMode(Access access, DeliveryMode requested) {
    if (access.grant().originPull()) {
      // A CDN caches what the origin answers; it must get the bytes, not a short-lived redirect.
      return DeliveryMode.STREAM;
    }
    StorageConnection connection = access.asset().connection();
    DeliveryMode configured = connection.deliveryMode() != null ? connection.deliveryMode() : options.defaultMode();
    if (requested == null || requested == configured) {
      return configured;
    }
    boolean allowed =
        connection.allowDeliveryOverride() != null ? connection.allowDeliveryOverride() : options.allowOverride();
    if (!allowed) {
      throw GatewayException.badRequest(
          "delivery_override_not_allowed", "This account does not allow choosing the delivery mode.");
    }
    return requested;
  }

  private String cacheControl(Grant grant) {
    return grant.originPull() ? options.originPullCacheControl() : options.cacheControl();
  }

  private static String fileName(ObjectLocation location) {
    String key = location.key();
    String trimmed = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }
}
