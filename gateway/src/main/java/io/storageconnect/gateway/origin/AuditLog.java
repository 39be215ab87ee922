package io.storageconnect.gateway.origin;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line on the {@code io.storageconnect.gateway.audit} logger for every call the gateway
 * makes on a customer's bucket, when it is over: the gateway's own side of what the customer sees
 * in CloudTrail data events and S3 server access logs. The bucket's request ids
 * ({@code x-amz-request-id}, {@code x-amz-id-2}) and the role session name match those records;
 * the gateway's request id matches the access log.
 *
 * <pre>
 * {"log":"audit","requestId":"7f0c...","account":"acme","region":"eu-west-1","bucket":"acme-media",
 *  "key":"originals/a.mp4","operation":"get","range":"bytes=0-1048575","principal":"role",
 *  "role":"arn:aws:iam::123456789012:role/media","roleSession":"scgw.acme.gw-1","status":206,
 *  "result":"ok","bytes":1048576,"s3RequestId":"4442587FB7D0A2F9","s3ExtendedRequestId":"...",
 *  "durationMs":12.5}
 * </pre>
 *
 * <p>The bucket name and object key are the customer's data: they appear here and nowhere else
 * in the gateway's logs. Never a credential, token or presigned URL. The platform's own managed
 * bucket is not audited (it is metered).
 */
public final class AuditLog implements OriginCall.Observer {
  static final Logger log = LoggerFactory.getLogger("io.storageconnect.gateway.audit");

  private static final JsonStringEncoder JSON = JsonStringEncoder.getInstance();
  private final RoleCredentialSource roles;

  /** @param roles names the role sessions, or {@code null} when no bucket uses a role */
  public AuditLog(RoleCredentialSource roles) {
    this.roles = roles;
  }

  @Override
  public void called(OriginCall call) {
    if (call.caller().customer() && log.isInfoEnabled()) {
      log.info(line(call));
    }
  }

  /**
   * The line, written with a StringBuilder (a JSON tree per line cost as much as the rest of a
   * redirect): strings that may hold anything (keys, request ids, role ARNs) are escaped by
   * Jackson's {@link JsonStringEncoder}; the rest are numbers and fixed words.
   */
  String line(OriginCall call) {
    BucketAddress bucket = call.bucket();
    StringBuilder b = new StringBuilder(384).append("{\"log\":\"audit\"");
    if (call.caller().requestId() != null) {
      string(b, "requestId", call.caller().requestId());
    }
    string(b, "account", call.caller().account());
    string(b, "region", bucket.region());
    string(b, "bucket", bucket.bucket());
    string(b, "key", call.key());
    string(b, "operation", call.operation().label());
    if (call.range() != null) {
      string(b, "range", call.range());
    }
    if (bucket.role() != null) {
      string(b, "principal", "role");
      string(b, "role", bucket.role().roleArn());
      if (roles != null) {
        string(b, "roleSession", roles.sessionName(bucket.role().accountId()));
      }
    } else {
      string(b, "principal", bucket.credentials() != null ? "static-keys" : "default-chain");
    }
    if (call.status() > 0) {
      b.append(",\"status\":").append(call.status());
    }
    string(b, "result", call.result());
    b.append(",\"bytes\":").append(call.bytes());
    if (call.s3RequestId() != null) {
      string(b, "s3RequestId", call.s3RequestId());
    }
    if (call.s3ExtendedRequestId() != null) {
      string(b, "s3ExtendedRequestId", call.s3ExtendedRequestId());
    }
    long micros = call.durationNanos() / 1000;
    b.append(",\"durationMs\":").append(micros / 1000).append('.')
        .append((char) ('0' + micros / 100 % 10)).append((char) ('0' + micros / 10 % 10)).append((char) ('0' + micros % 10));
    return b.append('}').toString();
  }

  private static void string(StringBuilder b, String name, String value) {
    b.append(",\"").append(name).append("\":\"");
    if (plain(value)) {
      b.append(value); // nothing to escape: most keys and ids
    } else {
      JSON.quoteAsString(value, b);
    }
    b.append('"');
  }

  private static boolean plain(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
