package io.storageconnect.gateway.origin;

import java.util.Locale;

/**
 * One call the gateway made on a bucket, reported when it is over (a GET when its body ends): what
 * the audit log writes and the metrics count. Answers from the gateway's own caches are not calls.
 *
 * @param caller for whom, or {@link Caller#PLATFORM} for the platform's own (managed) bucket
 * @param range the {@code Range} asked for, or {@code null}
 * @param status the bucket's HTTP status, or 0 when none arrived (refused, timed out) or none
 *     applies (presign)
 * @param result {@code ok}, the S3 error code, or what went wrong without an answer (see
 *     {@link #resultOf})
 * @param bytes body bytes read from the bucket (GET), written to it (PUT), or 0
 * @param s3RequestId the bucket's {@code x-amz-request-id}, or {@code null}: the key to the same
 *     call in the customer's CloudTrail data events and S3 server access logs
 * @param s3ExtendedRequestId the bucket's {@code x-amz-id-2}, or {@code null}
 */
public record OriginCall(
    Caller caller,
    BucketAddress bucket,
    String key,
    Operation operation,
    String range,
    int status,
    String result,
    long bytes,
    String s3RequestId,
    String s3ExtendedRequestId,
    long durationNanos) {

  /** What was asked of the bucket. */
  public enum Operation {
    HEAD,
    GET,
    /** A presigned GET URL handed to a client (signed locally; the client then calls the bucket). */
    PRESIGN,
    /** The admin preflight's probe object: write, head, read, delete. */
    PUT_PROBE,
    HEAD_PROBE,
    GET_PROBE,
    DELETE_PROBE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** Lower case, as in the audit log and metric labels. */
    public String label() {
      return label;
    }
  }

  /** On whose behalf a call is made. */
  public record Caller(String account, String requestId) {
    /** The platform's own calls (its managed bucket): metered, not audited. */
    public static final Caller PLATFORM = new Caller(null, null);

    public boolean customer() {
      return account != null;
    }

    @Override
    public String toString() {
      return "Caller[" + account + "]";
    }
  }

  /** Told of every call when it is over; called on SDK or Vert.x threads: must not block. */
  @FunctionalInterface
  public interface Observer {
    void called(OriginCall call);

    Observer NONE = call -> {};

    /** Both, in order. */
    default Observer andThen(Observer next) {
      return call -> {
        called(call);
        next.called(call);
      };
    }
  }

  /** Results by class, for metric labels: a fixed set, never an arbitrary error code. */
  public enum ResultClass {
    OK, NOT_FOUND_OR_DENIED, ARCHIVED, CHANGED, THROTTLED, TIMEOUT, CANCELLED, INVALID_RESPONSE, SERVER_ERROR, CLIENT_ERROR,
    UNREACHABLE;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
      return label;
    }
  }

  public ResultClass resultClass() {
    return switch (result) {
      case "ok", "reused" -> ResultClass.OK;
      case "NoSuchKey", "AccessDenied", "http_403", "http_404" -> ResultClass.NOT_FOUND_OR_DENIED;
      case "InvalidObjectState" -> ResultClass.ARCHIVED;
      case "PreconditionFailed", "http_412" -> ResultClass.CHANGED;
      case "SlowDown", "http_429", "http_503" -> ResultClass.THROTTLED;
      case "timeout" -> ResultClass.TIMEOUT;
      case "cancelled" -> ResultClass.CANCELLED;
      case "invalid_response" -> ResultClass.INVALID_RESPONSE;
      case "unreachable" -> ResultClass.UNREACHABLE;
      default -> status >= 500 ? ResultClass.SERVER_ERROR : ResultClass.CLIENT_ERROR;
    };
  }

  @Override
  public String toString() {
    return "OriginCall[" + operation + " " + status + " " + result + "]"; // never bucket or key
  }
}
