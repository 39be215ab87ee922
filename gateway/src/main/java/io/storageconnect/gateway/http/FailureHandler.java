package io.storageconnect.gateway.http;

import io.storageconnect.gateway.delivery.BodyStreamer;
import io.storageconnect.gateway.failure.GatewayException;
import io.storageconnect.gateway.failure.OriginException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place a failure becomes a response: small JSON {@code {error, message, requestId}} with
 * the status of the {@link GatewayException}, logged once with the request id. Clients never see
 * a stack trace, bucket name, S3 error XML or credential, and log lines carry only the classified
 * kind and AWS request ids, never exception messages (which can name buckets or keys).
 *
 * <p>Once the response head is written no status can be sent: the stream is reset instead (the
 * connection closed, on HTTP/1.1), so a truncated body never looks complete. Runs on the event loop.
 */
final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(FailureHandler.class);
  /** RFC 9113 §7. */
  private static final long HTTP2_INTERNAL_ERROR = 0x2;

  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    HttpServerResponse response = ctx.response();
    String requestId = RequestIds.of(ctx);
    if (response.headWritten() || response.closed()) {
      if (failure instanceof BodyStreamer.ClientGoneException) {
        log.debug("request {}: client went away", requestId);
      } else {
        log.warn("request {} {} {} aborted mid-body: {}", requestId, ctx.request().method(), route(ctx), describe(failure));
      }
      // HTTP/2: reset this stream only (other streams share the connection) with INTERNAL_ERROR,
      // not Vert.x's default NO_ERROR, which a lenient client or CDN may take for a clean end;
      // HTTP/1.1: close the connection. Either way the body is incomplete, never complete.
      response.reset(HTTP2_INTERNAL_ERROR);
      return;
    }
    GatewayException error = toGatewayException(ctx.statusCode(), failure);
    if (error.status() >= 500) {
      log.warn("request {} {} {} failed: {} {}", requestId, ctx.request().method(), route(ctx), error.code(), describe(failure));
    } else {
      log.debug("request {} answered {} {}", requestId, error.status(), error.code());
    }
    // Whatever a half-built answer had set goes, but not the CORS grant: a player on another
    // origin must be able to read the error too.
    Routes.clearKeepingCorsGrant(response);
    response.putHeader(RequestIds.HEADER, requestId);
    error.headers().forEach(response::putHeader);
    if (error.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer realm=\"storage-connect\"");
    }
    if (error.status() == 405) {
      response.putHeader(HttpHeaders.ALLOW, "GET, HEAD");
    }
    JsonObject json =
        new JsonObject()
            .put("error", error.code())
            .put("message", error.publicMessage())
            .put("requestId", requestId);
    error.details().forEach(json::put);
    String body = json.encode();
    response
        .setStatusCode(error.status())
        .setStatusMessage(io.netty.handler.codec.http.HttpResponseStatus.valueOf(error.status()).reasonPhrase())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(body);
  }

  static GatewayException toGatewayException(int statusCode, Throwable failure) {
    if (failure instanceof GatewayException e) {
      return e;
    }
    if (failure == null || (statusCode >= 400 && statusCode < 500)) {
      // A 4xx decided by a library handler (vertx-web's CORS handler refusing an origin, say) is
      // the client's problem, not a 500; its own message is never passed on.
      return switch (statusCode) {
        case 403 -> GatewayException.forbidden("This request is not allowed.");
        case 404 -> GatewayException.notFound("not_found", "No such resource.");
        case 405 -> new GatewayException(405, "method_not_allowed", "Only GET and HEAD are allowed here.");
        case 400 -> GatewayException.badRequest("bad_request", "The request is malformed.");
        case 413, 414, 431 -> new GatewayException(statusCode, "request_too_large", "The request is too large.");
        default -> new GatewayException(statusCode < 400 ? 500 : statusCode, "error", "The request failed.");
      };
    }
    return new GatewayException(500, "internal_error", "The gateway failed to answer this request.");
  }

  /** The path without its query: a query may carry a viewer token. */
  private static String route(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    return path == null ? "-" : path;
  }

  /**
   * A log-safe description: exception types, the origin kind, AWS status, error code and request
   * ids. No messages: SDK messages can carry endpoints with bucket names. A failure that is not
   * a classified origin or SDK failure is a bug: each cause then gets the frame it was thrown at.
   */
  static String describe(Throwable failure) {
    if (failure == null) {
      return "-";
    }
    boolean bug = true;
    for (Throwable t = failure; t != null && bug; t = t.getCause()) {
      bug = !(t instanceof OriginException || t instanceof GatewayException || t instanceof SdkException);
    }
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 6; t = t.getCause(), depth++) {
      if (depth > 0) {
        out.append(" <- ");
      }
      out.append(t.getClass().getSimpleName());
      if (t instanceof OriginException oe) {
        out.append('[').append(oe.kind()).append(']');
      } else if (t instanceof GatewayException ge) {
        out.append('[').append(ge.code()).append(']');
      } else if (t instanceof AwsServiceException aws) {
        out.append("[status=").append(aws.statusCode());
        if (aws.awsErrorDetails() != null && aws.awsErrorDetails().errorCode() != null) {
          out.append(", code=").append(aws.awsErrorDetails().errorCode());
        }
        out.append(", requestId=").append(aws.requestId()).append(", extendedRequestId=").append(aws.extendedRequestId()).append(']');
      } else if (bug && t.getStackTrace().length > 0) {
        // A bug rather than an origin failure: where it happened, without the message.
        out.append(" at ").append(t.getStackTrace()[0]);
      }
    }
    return out.toString();
  }
}
