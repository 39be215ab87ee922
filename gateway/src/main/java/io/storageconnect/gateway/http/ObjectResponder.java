package io.storageconnect.gateway.http;

import io.storageconnect.gateway.catalog.ObjectLocation;
import io.storageconnect.gateway.delivery.BodyStreamer;
import io.storageconnect.gateway.delivery.ByteRange;
import io.storageconnect.gateway.delivery.ContentDisposition;
import io.storageconnect.gateway.delivery.HttpDates;
import io.storageconnect.gateway.delivery.MediaTypes;
import io.storageconnect.gateway.delivery.MultipartByteRanges;
import io.storageconnect.gateway.delivery.Precondition;
import io.storageconnect.gateway.delivery.Preconditions;
import io.storageconnect.gateway.delivery.RangeSelection;
import io.storageconnect.gateway.failure.ArchivedObjectException;
import io.storageconnect.gateway.failure.GatewayException;
import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.origin.ObjectBody;
import io.storageconnect.gateway.origin.ObjectMeta;
import io.storageconnect.gateway.resilience.GuardedOrigin;
import io.storageconnect.gateway.resilience.ObjectState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Answers GET and HEAD for one stored object with the HTTP semantics players, browsers and CDNs
 * rely on (RFC 9110): validators, conditional requests (§13), single and multiple ranges (§14),
 * {@code Content-Length} from the upstream answer, and streaming with backpressure. Also builds
 * presigned redirects. Runs on the request's event loop; never blocks.
 */
final class ObjectResponder {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ObjectResponder.class);
  /**
   * How many times a body cut mid-stream by the origin (reset, truncated, silent past the idle
   * limit) is asked again from where it stopped, with {@code If-Match} on its ETag, before the
   * client's response is reset.
   */
  static final int MAX_RESUMES = 2;

  private final GuardedOrigin origin;
  private final DeliveryOptions options;
  private final Duration idleTimeout;

  private final java.time.Clock clock;

  ObjectResponder(GuardedOrigin origin, DeliveryOptions options, Duration idleTimeout, java.time.Clock clock) {
    this.origin = origin;
    this.options = options;
    this.idleTimeout = idleTimeout;
    this.clock = clock;
  }

  /** Streams the representation (GET) or describes it (HEAD). */
  Future<Void> stream(RoutingContext ctx, Representation rep) {
    return metadata(ctx, rep).compose(meta -> answer(ctx, rep, meta, true));
  }

  /**
   * Redirects a GET to a presigned URL on the object's bucket, after checking that the object is
   * there and evaluating the request's preconditions. A HEAD is answered from metadata instead:
   * a URL presigned for GET does not work for HEAD.
   */
  Future<Void> redirect(RoutingContext ctx, Representation rep) {
    if (ctx.request().method() == HttpMethod.HEAD) {
      return stream(ctx, rep);
    }
    return metadata(ctx, rep)
        .compose(
            meta -> {
              String contentType = contentType(rep, meta);
              if (!preconditionsPass(ctx, rep, meta)) {
                return Future.succeededFuture();
              }
              String disposition = disposition(rep, contentType);
              ObjectLocation loc = rep.location();
              return origin
                  .presign(loc, options.presignTtl(), disposition, contentType, RequestIds.of(ctx))
                  .compose(
                      url -> {
                        // The validators describe the object, not this redirect.
                        ctx.response().headers().remove(HttpHeaders.ETAG).remove(HttpHeaders.LAST_MODIFIED);
                        return ctx.response()
                            .setStatusCode(302)
                            .putHeader(HttpHeaders.LOCATION, url.toASCIIString())
                            // The URL expires and must not be replayed from a cache.
                            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                            .putHeader("Referrer-Policy", "no-referrer")
                            .putHeader(HttpHeaders.CONTENT_LENGTH, "0")
                            .end();
                      });
            });
  }

  /**
   * Metadata of a representation that can be read now. An archived object (Glacier classes,
   * Intelligent-Tiering archive tiers, unless restored) fails with 409 before any redirect or
   * GET: a browser is never sent to a presigned URL that answers 403 InvalidObjectState.
   */
  private Future<ObjectMeta> metadata(RoutingContext ctx, Representation rep) {
    return origin.head(rep.location(), RequestIds.of(ctx))
        .map(
            meta -> {
              ObjectState state = ObjectState.of(meta, clock.instant());
              if (state instanceof ObjectState.Archived archived) {
                throw new ArchivedObjectException(!rep.location().managed(), archived.storageClass(), false);
              }
              if (state instanceof ObjectState.Restoring restoring) {
                throw new ArchivedObjectException(!rep.location().managed(), restoring.storageClass(), true);
              }
              return meta;
            });
  }

  private Future<Void> answer(RoutingContext ctx, Representation rep, ObjectMeta meta, boolean mayRetry) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    if (mayRetry && request.getHeader(HttpHeaders.IF_MATCH) != null && !ifMatchHolds(request, meta)) {
      // The cached metadata may be stale: an If-Match naming the object's new ETag must not
      // fail against the old one. Decide on fresh metadata.
      origin.invalidate(rep.location());
      return metadata(ctx, rep).compose(fresh -> answer(ctx, rep, fresh, false));
    }
    if (!preconditionsPass(ctx, rep, meta)) {
      return Future.succeededFuture();
    }
    String contentType = contentType(rep, meta);
    response
        .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .putHeader("Content-Disposition", disposition(rep, contentType))
        .putHeader("X-Content-Type-Options", "nosniff");
    if (!inlineSafe(contentType)) {
      // Customer bytes on the gateway's origin: should one be opened anyway, it runs nothing.
      // (Not on media: a browser plays a video URL in its own media document.)
      response.putHeader("Content-Security-Policy", "sandbox; default-src 'none'");
    }
    if (request.method() == HttpMethod.HEAD) {
      // RFC 9110 §14.2: Range is defined for GET only, so a HEAD describes the whole representation.
      return response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(meta.size())).end();
    }
    RangeSelection selection =
        Preconditions.rangeApplies(request.getHeader("If-Range"), meta.etag(), meta.lastModified())
            ? RangeSelection.of(request.getHeader("Range"), meta.size(), options.maxRanges())
            : new RangeSelection.Whole();
    if (rep.substitute() && selection instanceof RangeSelection.Unsatisfiable) {
      // Offsets into the original mean nothing in a proxy of another size: the whole proxy
      // (with its own ETag and length) lets the player start over instead of failing.
      selection = new RangeSelection.Whole();
    }
    Future<Void> sent;
    if (selection instanceof RangeSelection.Unsatisfiable) {
      throw new GatewayException(416, "range_not_satisfiable", "The requested range is outside the object.")
          .withHeader("Content-Range", "bytes */" + meta.size());
    } else if (selection instanceof RangeSelection.Partial partial && partial.ranges().size() > 1) {
      sent = multipart(ctx, rep, meta, contentType, partial.ranges());
    } else {
      ByteRange range = selection instanceof RangeSelection.Partial partial ? partial.ranges().get(0) : null;
      sent = single(ctx, rep, meta, range);
    }
    if (!mayRetry) {
      return sent;
    }
    return sent.recover(
        e -> {
          // The object changed after its metadata was cached (the GET's If-Match failed before any
          // byte was sent): decide again on fresh metadata, once.
          if (e instanceof OriginException oe
              && (oe.kind() == OriginException.Kind.CHANGED || oe.kind() == OriginException.Kind.ARCHIVED)
              && !response.headWritten()) {
            // CHANGED: decide again on fresh metadata. ARCHIVED: the object was archived after
            // its metadata was cached; fresh metadata classifies it at once.
            origin.invalidate(rep.location());
            return metadata(ctx, rep).compose(fresh -> answer(ctx, rep, fresh, false));
          }
          return Future.failedFuture(e);
        });
  }

  private static boolean ifMatchHolds(HttpServerRequest request, ObjectMeta meta) {
    return Preconditions.evaluate(request.getHeader(HttpHeaders.IF_MATCH), null, null, null, meta.etag(), meta.lastModified())
        != Precondition.PRECONDITION_FAILED;
  }

  /** Sets validators and answers 304 or 412 when a precondition decides; false when it did. */
  private boolean preconditionsPass(RoutingContext ctx, Representation rep, ObjectMeta meta) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    if (meta.etag() != null) {
      response.putHeader(HttpHeaders.ETAG, meta.etag());
    }
    if (meta.lastModified() != null) {
      response.putHeader(HttpHeaders.LAST_MODIFIED, HttpDates.format(meta.lastModified()));
    }
    response.putHeader(HttpHeaders.CACHE_CONTROL, rep.cacheControl());
    Precondition decision =
        Preconditions.evaluate(
            request.getHeader(HttpHeaders.IF_MATCH),
            request.getHeader(HttpHeaders.IF_NONE_MATCH),
            request.getHeader(HttpHeaders.IF_MODIFIED_SINCE),
            request.getHeader("If-Unmodified-Since"),
            meta.etag(),
            meta.lastModified());
    switch (decision) {
      case NOT_MODIFIED -> {
        // RFC 9110 §15.4.5: a 304 carries the validators and Cache-Control a 200 would.
        response.setStatusCode(304).end();
        return false;
      }
      case PRECONDITION_FAILED ->
          throw new GatewayException(412, "precondition_failed", "A precondition of this request does not hold.");
      default -> {
        return true;
      }
    }
  }

  private Future<Void> single(RoutingContext ctx, Representation rep, ObjectMeta meta, ByteRange range) {
    HttpServerResponse response = ctx.response();
    ObjectLocation loc = rep.location();
    return origin
        .get(loc, range, meta.etag(), RequestIds.of(ctx))
        .compose(
            body -> {
              if (response.closed()) {
                body.discard();
                return Future.failedFuture(new BodyStreamer.ClientGoneException());
              }
              if (range != null) {
                checkPart(body, range);
                response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, range.contentRange(meta.size()));
              } else {
                response.setStatusCode(200);
              }
              if (body.contentLength() < 0) {
                // S3 always announces the length; an S3-compatible origin that does not cannot be
                // relayed with an exact Content-Length (nor checked for truncation).
                OriginException noLength = new OriginException(
                    OriginException.Kind.UNAVAILABLE, new IllegalStateException("origin answered without Content-Length"));
                body.discard(noLength);
                return Future.failedFuture(noLength);
              }
              // RFC 9110 §8.6: the length of this message's content, as the origin announced it.
              response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(body.contentLength()));
              Future<Void> sent = body.contentLength() == 0
                  ? pipe(ctx, loc, body)
                  : pipe(ctx, loc, body, range != null ? range : new ByteRange(0, body.contentLength() - 1), meta.etag(), MAX_RESUMES);
              return sent.compose(v -> end(response, null));
            });
  }

  /** RFC 9110 §14.6: several ranges as multipart/byteranges, one upstream GET per part. */
  private Future<Void> multipart(
      RoutingContext ctx, Representation rep, ObjectMeta meta, String contentType, List<ByteRange> ranges) {
    HttpServerResponse response = ctx.response();
    ObjectLocation loc = rep.location();
    MultipartByteRanges framing =
        new MultipartByteRanges(ranges, meta.size(), contentType, MultipartByteRanges.newBoundary());
    response
        .setStatusCode(206)
        .putHeader(HttpHeaders.CONTENT_TYPE, framing.contentType())
        .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(framing.contentLength()));
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < ranges.size(); i++) {
      int index = i;
      ByteRange range = ranges.get(i);
      chain =
          chain.compose(
              v ->
                  origin
                      .get(loc, range, meta.etag(), RequestIds.of(ctx))
                      .compose(
                          body -> {
                            if (response.closed()) {
                              body.discard();
                              return Future.failedFuture(new BodyStreamer.ClientGoneException());
                            }
                            checkPart(body, range);
                            response.write(ascii(framing.partHeader(index)));
                            return pipe(ctx, loc, body, range, meta.etag(), MAX_RESUMES);
                          }));
    }
    return chain.compose(v -> end(response, ascii(framing.trailer())));
  }


  /**
   * Ends a response whose body was sent whole. A client that closes right after the last byte
   * makes the end fail; that is a client going away, not a failure worth a warning.
   */
  private static Future<Void> end(HttpServerResponse response, Buffer last) {
    Future<Void> ended = last == null ? response.end() : response.end(last);
    return ended.recover(e -> Future.failedFuture(new BodyStreamer.ClientGoneException()));
  }

  /**
   * Streams one upstream body covering {@code covered}; upstream failures become origin failures
   * for the failure handler. How it ended is reported to the body's bucket breaker: whole, failed
   * mid-body (an origin fault), or abandoned by the client (nobody's fault).
   *
   * <p>A body the origin cuts short (reset, truncated, silent past the idle limit) is asked again
   * from its first missing byte, at most {@code resumesLeft} times, with {@code If-Match} on the
   * ETag so that only the same object is spliced in; the client sees one whole body. When that
   * fails too, the original cut is reported and the response is reset.
   */
  private Future<Void> pipe(
      RoutingContext ctx, ObjectLocation loc, ObjectBody body, ByteRange covered, String etag, int resumesLeft) {
    BodyStreamer streamer = BodyStreamer.start(
        ctx.vertx().getOrCreateContext(), ctx.response(), body.body(), body.contentLength(), idleTimeout);
    return streamer.done().transform(ar -> {
      if (ar.succeeded()) {
        body.outcome().succeeded();
        return Future.succeededFuture();
      }
      Throwable e = ar.cause();
      if (e instanceof BodyStreamer.ClientGoneException) {
        body.outcome().abandoned();
        return Future.failedFuture(e);
      }
      OriginException failure = originFailure(e);
      long written = streamer.written();
      if (resumesLeft <= 0 || etag == null || ctx.response().closed() || written >= covered.length()) {
        body.outcome().failed(failure);
        return Future.failedFuture(failure);
      }
      ByteRange rest = new ByteRange(covered.first() + written, covered.last());
      log.info("request {}: body cut after {} of {} bytes ({}), asking for bytes {}-{} again",
          RequestIds.of(ctx), written, covered.length(), FailureHandler.describe(failure), rest.first(), rest.last());
      // Reported now (the audit line has this GET's own duration); the GET for the rest counts
      // for itself with the breaker, and this cut does not count twice.
      body.outcome().resumed(failure);
      return origin
          .get(loc, rest, etag, RequestIds.of(ctx))
          .compose(next -> {
            if (ctx.response().closed()) {
              next.discard();
              return Future.failedFuture(new BodyStreamer.ClientGoneException());
            }
            checkPart(next, rest);
            return pipe(ctx, loc, next, rest, etag, resumesLeft - 1);
          })
          .recover(err -> {
            if (err instanceof OriginException oe && oe.kind() == OriginException.Kind.CHANGED) {
              // The object changed under the download: nothing of it can be spliced. Before the
              // first byte the caller decides again on fresh metadata; after it, the cut stands.
              origin.invalidate(loc);
              if (!ctx.response().headWritten()) {
                return Future.failedFuture(err);
              }
            }
            return Future.failedFuture(err instanceof BodyStreamer.ClientGoneException ? err : failure);
          });
    });
  }

  /** Streams one upstream body, never resumed. */
  private Future<Void> pipe(RoutingContext ctx, ObjectLocation loc, ObjectBody body) {
    return outcome(
        BodyStreamer.pipe(ctx.vertx().getOrCreateContext(), ctx.response(), body.body(), body.contentLength(), idleTimeout),
        body);
  }

  /** Reports how a body ended to its bucket's breaker; upstream failures become origin failures. */
  private static Future<Void> outcome(Future<Void> streamed, ObjectBody body) {
    return streamed
        .onSuccess(v -> body.outcome().succeeded())
        .recover(
            e -> {
              if (e instanceof BodyStreamer.ClientGoneException) {
                body.outcome().abandoned();
                return Future.failedFuture(e);
              }
              OriginException failure = originFailure(e);
              body.outcome().failed(failure);
              return Future.failedFuture(failure);
            });
  }

  private static OriginException originFailure(Throwable e) {
    return e instanceof OriginException oe
        ? oe
        : new OriginException(
            e instanceof BodyStreamer.UpstreamIdleException ? OriginException.Kind.TIMEOUT : OriginException.Kind.UNAVAILABLE, e);
  }

  /** The origin must answer exactly the bytes asked for; anything else would corrupt the body. */
  private static void checkPart(ObjectBody body, ByteRange range) {
    if (body.contentLength() != range.length()) {
      OriginException wrong = new OriginException(
          OriginException.Kind.UNAVAILABLE,
          new IllegalStateException("origin answered " + body.contentLength() + " bytes for a range of " + range.length()));
      body.discard(wrong);
      throw wrong;
    }
  }

  private static Buffer ascii(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Inline only for media a browser renders without running anything (video, audio, raster
   * images); anything else — HTML, SVG, PDF, text — is an attachment, so a customer object can
   * never run script in the gateway's origin, where viewer tokens live in URLs.
   */
  static String disposition(Representation rep, String contentType) {
    return rep.inline() && inlineSafe(contentType)
        ? ContentDisposition.inline(rep.fileName())
        : ContentDisposition.attachment(rep.fileName());
  }

  static boolean inlineSafe(String contentType) {
    String type = contentType.toLowerCase(java.util.Locale.ROOT).split(";", 2)[0].trim();
    return type.startsWith("video/") || type.startsWith("audio/") || (type.startsWith("image/") && !type.contains("svg"));
  }

  private static String contentType(Representation rep, ObjectMeta meta) {
    return MediaTypes.resolve(rep.catalogType(), meta.contentType(), rep.fileName());
  }

}
