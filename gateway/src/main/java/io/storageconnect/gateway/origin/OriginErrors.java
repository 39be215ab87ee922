package io.storageconnect.gateway.origin;

import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.WriteTimeoutException;
import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.failure.OriginException.Kind;
import io.vertx.core.Future;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Maps what the SDK throws to an {@link OriginException} kind. Pure; thread-safe. */
final class OriginErrors {
  private OriginErrors() {}

  static <T> Future<T> fail(Throwable t) {
    return Future.failedFuture(classify(t));
  }

  static OriginException classify(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof OriginException oe) {
      return oe;
    }
    return new OriginException(kindOf(e), e);
  }

  static Kind kindOf(Throwable e) {
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      int status = s3.statusCode();
      if ("SlowDown".equals(code) || status == 429) {
        return Kind.THROTTLED;
      }
      if ("NoSuchBucket".equals(code)
          || "PermanentRedirect".equals(code)
          || "InvalidAccessKeyId".equals(code)
          || "SignatureDoesNotMatch".equals(code)
          || status == 301
          || status == 307) {
        return Kind.MISCONFIGURED;
      }
      if ("InvalidObjectState".equals(code)) {
        return Kind.ARCHIVED;
      }
      if (status == 404 || status == 403) {
        // The customer's role grants object actions only: a missing key answers 403, not 404.
        return Kind.OBJECT_UNAVAILABLE;
      }
      if (status == 412) {
        return Kind.CHANGED;
      }
      return Kind.UNAVAILABLE;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ApiCallTimeoutException
          || c instanceof ApiCallAttemptTimeoutException
          || c instanceof TimeoutException
          || c instanceof ReadTimeoutException
          || c instanceof WriteTimeoutException
          || c instanceof java.net.SocketTimeoutException
          || c instanceof io.netty.channel.ConnectTimeoutException) {
        return Kind.TIMEOUT;
      }
    }
    return Kind.UNAVAILABLE;
  }

  /**
   * A call's result for the audit log: the bucket's error code (or {@code http_<status>} when its
   * answer had no body, as for HEAD), or what happened without an answer: {@code timeout},
   * {@code unreachable}.
   */
  static String resultOf(Throwable e) {
    if (e instanceof io.storageconnect.gateway.failure.OriginException oe) {
      Throwable cause = oe.getCause() == null ? null : unwrap(oe.getCause());
      if (cause instanceof S3Exception || cause instanceof io.storageconnect.gateway.failure.OriginException) {
        return resultOf(cause);
      }
      if (oe.kind() == Kind.TIMEOUT || (cause != null && kindOf(cause) == Kind.TIMEOUT)) {
        return "timeout";
      }
      if (oe.kind() == Kind.UNAVAILABLE) {
        return cause instanceof IllegalStateException ? "invalid_response" : "unreachable";
      }
      return oe.code();
    }
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      return code != null && code.matches("[A-Za-z0-9.]{1,64}") ? code : "http_" + s3.statusCode();
    }
    return kindOf(e) == Kind.TIMEOUT ? "timeout" : "unreachable";
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
