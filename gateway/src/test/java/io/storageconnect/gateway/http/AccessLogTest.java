package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One JSON access line per request: the fields operators need, never a token or a raw query. */
class AccessLogTest {
  static GatewayFixture gw;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start(java.util.Map.of(), true);
    token = gw.tokens.all(TestData.ACCOUNT, "clip");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  /** The access line of one request id, once it is written (the log is asynchronous in production). */
  static JsonObject accessLine(String requestId) throws InterruptedException {
    String prefix = "INFO io.storageconnect.gateway.access - ";
    Await.until("the access line of " + requestId, () -> find(prefix, requestId).isPresent());
    return new JsonObject(find(prefix, requestId).orElseThrow().substring(prefix.length()));
  }

  static Optional<String> find(String prefix, String requestId) {
    List<String> lines = LogCapture.lines();
    return lines.stream().filter(l -> l.startsWith(prefix) && l.contains("\"requestId\":\"" + requestId + "\"")).findFirst();
  }

  @Test
  void rangeRequest_withQueryToken_isLoggedWithRouteTemplate_andNoToken() throws Exception {
    String q = URLEncoder.encode(token, StandardCharsets.US_ASCII);
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play?token=" + q, null, "Range", "bytes=0-9", "X-Request-Id", "access-range-1");

    assertThat(r.statusCode()).isEqualTo(206);
    JsonObject line = accessLine("access-range-1");
    assertThat(line.getString("method")).isEqualTo("GET");
    assertThat(line.getString("route")).isEqualTo("/v1/assets/{id}/play");
    assertThat(line.getString("asset")).isEqualTo("clip");
    assertThat(line.getString("account")).isEqualTo(TestData.ACCOUNT);
    assertThat(line.getInteger("status")).isEqualTo(206);
    assertThat(line.getLong("bytes")).isEqualTo(10);
    assertThat(line.getString("source")).isEqualTo("customer");
    assertThat(line.getString("client")).isEqualTo("127.0.0.1");
    assertThat(line.getBoolean("completed")).isTrue();
    assertThat(line.getDouble("durationMs")).isNotNull();
    assertThat(line.encode()).doesNotContain("eyJ").doesNotContain("token").doesNotContain(TestData.CUSTOMER_BUCKET);
  }

  @Test
  void failedRequest_andRedirect_andUnknownPath_areLoggedToo() throws Exception {
    gw.get("/v1/assets/clip/original", "not-a-jwt", "X-Request-Id", "access-401");
    gw.get("/v1/assets/clip/original?delivery=redirect", token, "X-Request-Id", "access-302");
    gw.get("/v1/assets/clip/renditions/h264_360p", token, "X-Request-Id", "access-rendition");
    gw.get("/etc/passwd?token=secret-looking", null, "X-Request-Id", "access-404");

    assertThat(accessLine("access-401").getInteger("status")).isEqualTo(401);
    assertThat(accessLine("access-401").containsKey("account")).as("unknown until authorized").isFalse();
    assertThat(accessLine("access-302").getString("source")).isEqualTo("redirect");
    assertThat(accessLine("access-rendition").getString("route")).isEqualTo("/v1/assets/{id}/renditions/{name}");
    assertThat(accessLine("access-rendition").getString("source")).isEqualTo("managed");
    JsonObject unknown = accessLine("access-404");
    assertThat(unknown.getString("route")).isEqualTo("other");
    assertThat(unknown.encode()).doesNotContain("passwd").doesNotContain("secret-looking");
  }

  @Test
  void fallback_isLoggedWithItsSourceAndReason() throws Exception {
    GatewayFixture.await(gw.customerProxy.refuseConnections());
    try {
      HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "X-Request-Id", "access-fallback");
      assertThat(r.statusCode()).isEqualTo(200);

      JsonObject line = accessLine("access-fallback");
      assertThat(line.getString("source")).isEqualTo("managed-proxy");
      assertThat(line.getString("fallback")).isEqualTo(r.headers().firstValue("X-Delivery-Fallback").orElseThrow()).isEqualTo("unreachable");
      assertThat(line.getLong("bytes")).isEqualTo(r.body().length);
      assertThat(line.getBoolean("completed")).isTrue();
    } finally {
      GatewayFixture.await(gw.customerProxy.acceptConnections());
    }
  }

  /**
   * Every answer that ended whole says so, on both protocols, whether it was written at once (a
   * 401), after an asynchronous step (a presigned redirect, a 409 of the origin, a scrape) or
   * streamed. On HTTP/2 vertx-web reports a stream's close before its end: not an incomplete body.
   */
  @ParameterizedTest
  @EnumSource(value = HttpClient.Version.class)
  void wholeAnswers_areCompleted_onHttp1AndHttp2(HttpClient.Version version) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(version).followRedirects(HttpClient.Redirect.NEVER).build();
    String id = "access-" + version.name().toLowerCase(java.util.Locale.ROOT);
    // The first request on a connection is HTTP/1.1 (h2c upgrade): warm up so the rest use the version asked for.
    String[][] requests = {
        {"/health/live", null, "-warmup"},
        {"/v1/assets/clip/original", "not-a-jwt", "-401"},
        {"/v1/assets/clip/original?delivery=redirect", token, "-302"},
        {"/v1/assets/clip/renditions/h264_360p", token, "-rendition"},
        {"/metrics", null, "-metrics"},
    };
    HttpResponse<byte[]> last = null;
    for (String[] r : requests) {
      HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(r[0])).header("X-Request-Id", id + r[2]);
      if (r[1] != null) {
        b.header("Authorization", "Bearer " + r[1]);
      }
      last = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
    assertThat(last.version()).isEqualTo(version);
    for (String[] r : requests) {
      assertThat(accessLine(id + r[2]).getBoolean("completed")).as(r[0]).isTrue();
    }
  }
}
