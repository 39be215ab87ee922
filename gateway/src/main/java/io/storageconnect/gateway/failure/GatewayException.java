package io.storageconnect.gateway.failure;

/**
 * The one failure type that reaches the failure handler: an HTTP status, a stable machine-readable
 * code and a message that is safe to show to a client (never a bucket name, S3 XML or credential).
 *
 * <p>The cause, kept for the log line only, may carry internal detail; {@link #publicMessage()}
 * never does. Immutable and thread-safe.
 */
public class GatewayException extends RuntimeException {
  private final int status;
  private final String code;
  private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
  private final java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();

  public GatewayException(int status, String code, String publicMessage) {
    this(status, code, publicMessage, null);
  }

  public GatewayException(int status, String code, String publicMessage, Throwable cause) {
    // Stack traces are for the log; the message is the public one.
    super(publicMessage, cause, false, cause != null);
    this.status = status;
    this.code = code;
  }

  /** Adds a response header that belongs with this error (e.g. {@code Content-Range} on a 416). */
  public GatewayException withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** Adds a field to the JSON error body (safe for clients: never a bucket name or credential). */
  public GatewayException withDetail(String name, Object value) {
    details.put(name, value);
    return this;
  }

  public java.util.Map<String, Object> details() {
    return java.util.Collections.unmodifiableMap(details);
  }

  public java.util.Map<String, String> headers() {
    return java.util.Collections.unmodifiableMap(headers);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String publicMessage() {
    return getMessage();
  }

  public static GatewayException badRequest(String code, String message) {
    return new GatewayException(400, code, message);
  }

  public static GatewayException unauthorized(String message) {
    return new GatewayException(401, "unauthorized", message);
  }

  public static GatewayException forbidden(String message) {
    return new GatewayException(403, "forbidden", message);
  }

  public static GatewayException notFound(String code, String message) {
    return new GatewayException(404, code, message);
  }
}
