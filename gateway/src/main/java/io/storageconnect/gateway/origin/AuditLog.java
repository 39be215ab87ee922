package io.storageconnect.gateway.origin;

import io.vertx.core.json.JsonObject;
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

  String line(OriginCall call) {
    BucketAddress bucket = call.bucket();
    // Jackson escapes what a key may hold (quotes, control characters, any Unicode).
    JsonObject json = new JsonObject().put("log", "audit");
    if (call.caller().requestId() != null) {
      json.put("requestId", call.caller().requestId());
    }
    json.put("account", call.caller().account())
        .put("region", bucket.region())
        .put("bucket", bucket.bucket())
        .put("key", call.key())
        .put("operation", call.operation().label());
    if (call.range() != null) {
      json.put("range", call.range());
    }
    if (bucket.role() != null) {
      json.put("principal", "role").put("role", bucket.role().roleArn());
      if (roles != null) {
        json.put("roleSession", roles.sessionName(bucket.role().accountId()));
      }
    } else {
      json.put("principal", bucket.credentials() != null ? "static-keys" : "default-chain");
    }
    if (call.status() > 0) {
      json.put("status", call.status());
    }
    json.put("result", call.result()).put("bytes", call.bytes());
    if (call.s3RequestId() != null) {
      json.put("s3RequestId", call.s3RequestId());
    }
    if (call.s3ExtendedRequestId() != null) {
      json.put("s3ExtendedRequestId", call.s3ExtendedRequestId());
    }
    json.put("durationMs", Math.round(call.durationNanos() / 10_000.0) / 100.0);
    return json.encode();
  }
}
