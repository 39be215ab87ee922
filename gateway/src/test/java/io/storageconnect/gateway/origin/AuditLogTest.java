package io.storageconnect.gateway.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One audit line per call on a customer's bucket, when it is over: account, bucket, key,
 * operation, principal (role and session name), status, result, bytes and the bucket's request
 * ids, so that each line can be matched with the customer's CloudTrail and S3 access logs.
 */
class AuditLogTest {
  static final String PREFIX = "INFO " + LogCapture.AUDIT_LOGGER + " - ";

  /** The audit lines of one gateway request, once the expected number have been written. */
  static List<JsonObject> audit(String requestId, int atLeast) throws InterruptedException {
    Await.until(atLeast + " audit lines of " + requestId, () -> lines(requestId).size() >= atLeast);
    return lines(requestId);
  }

  static List<JsonObject> lines(String requestId) {
    return LogCapture.lines().stream()
        .filter(l -> l.startsWith(PREFIX))
        .map(l -> new JsonObject(l.substring(PREFIX.length())))
        .filter(j -> requestId.equals(j.getString("requestId")))
        .toList();
  }

  static JsonObject only(List<JsonObject> lines, String operation) {
    List<JsonObject> matching = lines.stream().filter(l -> operation.equals(l.getString("operation"))).toList();
    assertThat(matching).as("%s lines in %s", operation, lines).hasSize(1);
    return matching.get(0);
  }

  @Test
  void streamedRange_isAuditedAsHeadThenGet_withBytesAndS3RequestIds() throws Exception {
    GatewayFixture gw = GatewayFixture.start();
    try {
      String token = gw.tokens.all(TestData.ACCOUNT, "clip");
      HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", "bytes=0-9", "X-Request-Id", "audit-range");
      assertThat(r.statusCode()).isEqualTo(206);

      List<JsonObject> lines = audit("audit-range", 2);
      JsonObject head = only(lines, "head");
      JsonObject get = only(lines, "get");
      for (JsonObject line : List.of(head, get)) {
        assertThat(line.getString("log")).isEqualTo("audit");
        assertThat(line.getString("account")).isEqualTo(TestData.ACCOUNT);
        assertThat(line.getString("bucket")).isEqualTo(TestData.CUSTOMER_BUCKET);
        assertThat(line.getString("key")).isEqualTo(TestData.PREFIX + "originals/clip.mp4");
        assertThat(line.getString("region")).isNotBlank();
        assertThat(line.getString("principal")).isEqualTo("static-keys");
        assertThat(line.getString("result")).isEqualTo("ok");
        assertThat(line.getString("s3RequestId")).as("x-amz-request-id, to match CloudTrail").isNotBlank();
        assertThat(line.getDouble("durationMs")).isNotNull();
      }
      assertThat(head.getInteger("status")).isEqualTo(200);
      assertThat(head.getLong("bytes")).isZero();
      assertThat(get.getInteger("status")).isEqualTo(206);
      assertThat(get.getString("range")).isEqualTo("bytes=0-9");
      assertThat(get.getLong("bytes")).isEqualTo(10);
      // Never a credential, token or signature.
      assertThat(lines.toString()).doesNotContain("eyJ").doesNotContain("X-Amz-Signature").doesNotContain("secret");

      // A second request finds the metadata cached: only the GET is a call.
      gw.get("/v1/assets/clip/play", token, "Range", "bytes=10-19", "X-Request-Id", "audit-range-2");
      assertThat(audit("audit-range-2", 1)).extracting(l -> l.getString("operation")).containsExactly("get");
    } finally {
      gw.close();
    }
  }

  @Test
  void redirects_missingObjects_managedBucket_andClientsThatLeave() throws Exception {
    GatewayFixture gw = GatewayFixture.start();
    try {
      String token = gw.tokens.all(TestData.ACCOUNT, "clip", "ghost", "large");

      gw.get("/v1/assets/clip/original?delivery=redirect", token, "X-Request-Id", "audit-302");
      JsonObject presign = only(audit("audit-302", 2), "presign");
      assertThat(presign.getString("result")).isEqualTo("ok");
      assertThat(presign.containsKey("status")).as("signed locally: no answer from the bucket").isFalse();
      gw.get("/v1/assets/clip/original?delivery=redirect", token, "X-Request-Id", "audit-302-again");
      assertThat(only(audit("audit-302-again", 1), "presign").getString("result")).isEqualTo("reused");

      gw.get("/v1/assets/ghost/original", token, "X-Request-Id", "audit-missing");
      JsonObject missing = only(audit("audit-missing", 1), "head");
      assertThat(missing.getInteger("status")).isEqualTo(404);
      assertThat(missing.getString("result")).isIn("NoSuchKey", "http_404");

      // Renditions come from the platform's managed bucket: metered, not audited.
      assertThat(gw.get("/v1/assets/clip/renditions/h264_360p", token, "X-Request-Id", "audit-managed").statusCode()).isEqualTo(200);
      gw.get("/v1/assets/clip/play", token, "X-Request-Id", "audit-marker");
      audit("audit-marker", 1);
      assertThat(lines("audit-managed")).isEmpty();

      // A client that leaves early: the GET is audited as cancelled with the bytes read so far.
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway.port() + "/v1/assets/large/play"))
          .header("Authorization", "Bearer " + token).header("X-Request-Id", "audit-leaves").build();
      HttpResponse<InputStream> stream = gw.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = stream.body()) {
        assertThat(in.readNBytes(64 * 1024)).hasSize(64 * 1024);
      }
      JsonObject left = only(audit("audit-leaves", 2), "get");
      assertThat(left.getString("result")).isEqualTo("cancelled");
      assertThat(left.getLong("bytes")).isGreaterThanOrEqualTo(64 * 1024).isLessThan(TestData.LARGE_SIZE);
    } finally {
      gw.close();
    }
  }

  @Test
  void originTimeouts_areAuditedAsTimeouts_notAsClientsLeaving() throws Exception {
    GatewayFixture gw = GatewayFixture.start(
        Map.of("GATEWAY_ORIGIN_READTIMEOUT", "6s", "GATEWAY_ORIGIN_FIRSTBYTETIMEOUT", "2s", "GATEWAY_RESILIENCE_MINIMUMCALLS", "1000"), true);
    try {
      String token = gw.tokens.all(TestData.ACCOUNT, "large");
      gw.get("/v1/assets/large/play", token, "Range", "bytes=0-9", "X-Request-Id", "audit-warm");
      audit("audit-warm", 2);

      // Headers later than the first-byte limit: the client gets 504; the late body is dropped.
      gw.customerProxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), FaultProxy.Fault.delay(Duration.ofMillis(3500)));
      assertThat(gw.get("/v1/assets/large/play", token, "Range", "bytes=0-9", "X-Request-Id", "audit-late").statusCode()).isEqualTo(504);
      JsonObject late = only(audit("audit-late", 1), "get");
      assertThat(late.getString("result")).isEqualTo("timeout");
      gw.customerProxy.clearRules();

      // The bucket goes silent mid-body, every time: the gateway's idle limit ends each GET, the
      // rest is asked for twice from where it stopped, then the client's download is reset.
      gw.customerProxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), FaultProxy.Fault.stallAfter(100_000));
      try {
        gw.get("/v1/assets/large/play", token, "X-Request-Id", "audit-stall");
      } catch (java.io.IOException expected) {
        // The response is reset mid-body: the client sees a broken download.
      }
      List<JsonObject> gets = audit("audit-stall", 1 + 3).stream().filter(l -> "get".equals(l.getString("operation"))).toList();
      assertThat(gets).hasSize(3).allSatisfy(get -> {
        assertThat(get.getString("result")).isEqualTo("timeout");
        assertThat(get.getLong("bytes")).isEqualTo(100_000);
      });
      assertThat(gets).extracting(get -> get.getString("range"))
          .containsExactly(null, "bytes=100000-" + (TestData.LARGE_SIZE - 1), "bytes=200000-" + (TestData.LARGE_SIZE - 1));
      gw.customerProxy.clearRules();
    } finally {
      gw.close();
    }
  }

  @Test
  void roleConnections_nameTheRoleAndTheSessionCloudTrailShows() throws Exception {
    GatewayFixture gw = GatewayFixture.startWithRoles(Map.of());
    try {
      String token = gw.tokens.all(TestData.ACCOUNT, "clip");
      assertThat(gw.get("/v1/assets/clip/play", token, "X-Request-Id", "audit-role").statusCode()).isEqualTo(200);

      JsonObject get = only(audit("audit-role", 2), "get");
      assertThat(get.getString("principal")).isEqualTo("role");
      assertThat(get.getString("role")).isEqualTo(GatewayFixture.ACME_ROLE);
      assertThat(get.getString("roleSession")).isEqualTo("scgw." + TestData.ACCOUNT + ".test-gw");
      assertThat(get.getLong("bytes")).isEqualTo(TestData.CLIP.length);
      assertThat(get.encode()).doesNotContain("ASIA").doesNotContain("eyJ");
    } finally {
      gw.close();
    }
  }

  @Test
  void adminPreflight_auditsEachProbeCall() throws Exception {
    GatewayFixture gw = GatewayFixture.startWithRoles(Map.of());
    try {
      HttpRequest verify = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + gw.gateway.port() + "/admin/v1/accounts/" + TestData.ACCOUNT + "/storage/verify"))
          .header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN)
          .header("X-Request-Id", "audit-verify")
          .POST(HttpRequest.BodyPublishers.noBody())
          .build();
      assertThat(gw.send(verify).statusCode()).isEqualTo(200);

      List<JsonObject> lines = audit("audit-verify", 4);
      assertThat(lines).extracting(l -> l.getString("operation"))
          .containsExactly("put_probe", "head_probe", "get_probe", "delete_probe");
      assertThat(lines).allMatch(l -> "ok".equals(l.getString("result")) && l.getString("s3RequestId") != null);
      assertThat(only(lines, "put_probe").getLong("bytes")).isPositive();
    } finally {
      gw.close();
    }
  }
}
