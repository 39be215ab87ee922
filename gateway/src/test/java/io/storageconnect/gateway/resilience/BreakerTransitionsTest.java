package io.storageconnect.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.FakeTime;
import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The customer bucket's circuit breaker on injected time: it opens on origin faults, sends
 * requests straight to fallback while open (the bucket is not asked at all), probes after the
 * open period and closes when the bucket answers — or opens again when it does not. Nothing
 * sleeps: the breakers' clock is a {@link FakeTime} moved by hand.
 */
class BreakerTransitionsTest {
  static final Duration OPEN_FOR = Duration.ofSeconds(30);
  GatewayFixture gw;
  FaultProxy proxy;
  FakeTime time;
  String token;

  @BeforeEach
  void start() throws Exception {
    time = new FakeTime(Instant.parse("2026-12-04T10:00:00Z"));
    gw = GatewayFixture.start(
        Map.of(
            "GATEWAY_ORIGIN_METADATATTL", "0s",
            "GATEWAY_ORIGIN_FIRSTBYTETIMEOUT", "1s",
            "GATEWAY_RESILIENCE_MINIMUMCALLS", "2",
            "GATEWAY_RESILIENCE_WINDOW", "4",
            "GATEWAY_RESILIENCE_FAILURERATEPERCENT", "50",
            "GATEWAY_RESILIENCE_OPENFOR", OPEN_FOR.toSeconds() + "s",
            "GATEWAY_RESILIENCE_HALFOPENCALLS", "1",
            "GATEWAY_ADMIN_TOKEN", GatewayFixture.ADMIN_TOKEN),
        true,
        time);
    proxy = gw.customerProxy;
    token = gw.tokens.all(TestData.ACCOUNT, "film", "ghost");
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
  }

  void bucketFails() {
    proxy.when(r -> r.pathEndsWith("large.mov"), Fault.s3Error(500, "InternalError", "We encountered an internal error."));
  }

  HttpResponse<byte[]> play() throws Exception {
    return gw.get("/v1/assets/film/play", token);
  }

  @Test
  void originFaults_openTheBreaker_thenFallbackWithoutAskingTheBucket() throws Exception {
    int transitions = transitionLines("from CLOSED to OPEN");
    bucketFails();
    play();
    play();

    JsonObject open = breaker("acme");
    proxy.resetCounters();
    HttpResponse<byte[]> played = play();
    HttpResponse<byte[]> download = gw.get("/v1/assets/film/original?delivery=stream", token);

    assertThat(open.getString("state")).isEqualTo("OPEN");
    assertThat(open.getString("openUntil")).isEqualTo(time.instant().plus(OPEN_FOR).toString());
    assertThat(open.getJsonObject("lastFailure").getString("error")).isEqualTo("origin_error");
    assertThat(played.statusCode()).isEqualTo(200);
    assertThat(played.headers().firstValue("X-Delivery-Fallback")).hasValue("unreachable");
    assertThat(played.body()).isEqualTo(TestData.RENDITION);
    assertThat(download.statusCode()).isEqualTo(503);
    assertThat(download.headers().firstValue("Retry-After")).hasValue(Long.toString(OPEN_FOR.toSeconds()));
    assertThat(proxy.requestCount()).as("an open breaker does not ask the bucket").isZero();
    assertThat(transitionLines("from CLOSED to OPEN") - transitions).as("logged once").isEqualTo(1);
  }

  @Test
  void openBreaker_isThatBucketsOnly() throws Exception {
    bucketFails();
    play();
    play();
    String globex = gw.tokens.all(TestData.OTHER_ACCOUNT, "globex-clip");

    HttpResponse<byte[]> other = gw.get("/v1/assets/globex-clip/play", globex);

    assertThat(breaker("acme").getString("state")).isEqualTo("OPEN");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("X-Delivery-Source")).isEmpty();
    assertThat(breaker("globex").getString("state")).isEqualTo("CLOSED");
    JsonArray managed = health().getJsonArray("managed");
    assertThat(managed).isNotEmpty();
    managed.forEach(b -> assertThat(((JsonObject) b).getString("state")).isEqualTo("CLOSED"));
  }

  @Test
  void afterTheOpenPeriod_aProbeThatSucceeds_closesTheBreaker() throws Exception {
    int halfOpen = transitionLines("from OPEN to HALF_OPEN");
    int closed = transitionLines("from HALF_OPEN to CLOSED");
    bucketFails();
    play();
    play();
    proxy.clearRules();

    time.advance(OPEN_FOR.plusSeconds(1));
    HttpResponse<byte[]> probe = play();

    assertThat(probe.statusCode()).isEqualTo(200);
    assertThat(probe.headers().firstValue("X-Delivery-Source")).isEmpty();
    assertThat(probe.body()).isEqualTo(TestData.LARGE);
    assertThat(breaker("acme").getString("state")).isEqualTo("CLOSED");
    assertThat(transitionLines("from OPEN to HALF_OPEN") - halfOpen).isEqualTo(1);
    assertThat(transitionLines("from HALF_OPEN to CLOSED") - closed).isEqualTo(1);
  }

  @Test
  void afterTheOpenPeriod_aProbeThatFails_opensTheBreakerAgain() throws Exception {
    bucketFails();
    play();
    play();

    time.advance(OPEN_FOR.plusSeconds(1));
    HttpResponse<byte[]> probe = play();

    assertThat(probe.statusCode()).isEqualTo(200);
    assertThat(probe.headers().firstValue("X-Delivery-Fallback")).hasValue("unreachable");
    JsonObject again = breaker("acme");
    assertThat(again.getString("state")).isEqualTo("OPEN");
    assertThat(again.getString("openUntil")).isEqualTo(time.instant().plus(OPEN_FOR).toString());
  }

  @Test
  void streamsResetHalfway_whileHeadsSucceed_openTheBreaker() throws Exception {
    // Each play: a HEAD that answers, then a GET whose body is cut. One failed call each, not a
    // success (headers) plus a failure (body).
    // With two calls in the window (HEAD answered, GET cut) the failure rate is 50%: open.
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.resetAfter(256 * 1024));
    org.assertj.core.api.Assertions.assertThatThrownBy(this::play).isInstanceOf(java.io.IOException.class);

    JsonObject view = breaker("acme");
    assertThat(view.getString("state")).isEqualTo("OPEN");
    assertThat(view.getInteger("bufferedCalls")).as("HEAD and GET, the GET counted once").isEqualTo(2);
    assertThat(view.getInteger("failedCalls")).isEqualTo(1);
    assertThat(play().headers().firstValue("X-Delivery-Fallback")).hasValue("unreachable");
  }

  @Test
  void headersLaterThanTheFirstByteLimit_fallBack_andCountAsTimeouts() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.delay(Duration.ofSeconds(3)));

    HttpResponse<byte[]> r = play();

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Delivery-Fallback")).hasValue("unreachable");
    assertThat(r.body()).isEqualTo(TestData.RENDITION);
    assertThat(breaker("acme").getJsonObject("lastFailure").getString("error")).isEqualTo("origin_timeout");
    // The late answer is released (its body cancelled), not left holding a pooled connection.
    io.storageconnect.gateway.support.Await.until("the late answer was released",
        () -> proxy.inFlight() == 0 && proxy.openUpstreamConnections() == 0);
  }

  @Test
  void distinctObjectsAllDenied_withNothingReadable_isTheRoleNotTheObjects() throws Exception {
    String all = gw.tokens.all(TestData.ACCOUNT, "film", "clip", "large", "awk-space");
    proxy.when(r -> true, Fault.s3Error(403, "AccessDenied", "Access Denied"));

    HttpResponse<byte[]> first = gw.get("/v1/assets/clip/original?delivery=stream", all);
    HttpResponse<byte[]> second = gw.get("/v1/assets/large/original?delivery=stream", all);
    HttpResponse<byte[]> third = gw.get("/v1/assets/awk-space/original?delivery=stream", all);

    assertThat(first.statusCode()).as("one object denied: missing-or-forbidden").isEqualTo(404);
    assertThat(second.statusCode()).isEqualTo(404);
    assertThat(new String(third.body(), StandardCharsets.UTF_8)).contains("origin_misconfigured");
    assertThat(third.statusCode()).isEqualTo(502);
    assertThat(breaker("acme").getJsonObject("lastFailure").getString("error")).isEqualTo("access_denied");
    assertThat(breaker("acme").getString("state")).as("a misconfiguration is not an outage").isEqualTo("CLOSED");

    proxy.clearRules();
    assertThat(gw.get("/v1/assets/film/original?delivery=stream", all).statusCode()).as("readable again").isEqualTo(200);
    proxy.when(r -> true, Fault.s3Error(403, "AccessDenied", "Access Denied"));
    assertThat(gw.get("/v1/assets/clip/original?delivery=stream", all).statusCode())
        .as("after a successful read, one denied object is that object's business again").isEqualTo(404);
  }

  @Test
  void missingObjectsAndBadRanges_neverOpenTheBreaker() throws Exception {
    for (int i = 0; i < 6; i++) {
      assertThat(gw.get("/v1/assets/ghost/play", token).statusCode()).isEqualTo(404);
      assertThat(gw.get("/v1/assets/film/play", token, "Range", "bytes=999999999-").statusCode()).isEqualTo(416);
    }

    JsonObject view = breaker("acme");
    assertThat(view.getString("state")).isEqualTo("CLOSED");
    assertThat(view.getInteger("failedCalls")).isZero();
  }

  JsonObject health() throws Exception {
    HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/v1/health"))
        .header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN).GET().build());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  JsonObject breaker(String account) throws Exception {
    JsonArray breakers = health().getJsonObject("accounts").getJsonObject(account).getJsonArray("breakers");
    assertThat(breakers).hasSize(1);
    JsonObject view = breakers.getJsonObject(0);
    assertThat(view.encode()).doesNotContain(TestData.CUSTOMER_BUCKET).doesNotContain(TestData.OTHER_BUCKET);
    return view;
  }

  static int transitionLines(String transition) {
    return (int) LogCapture.lines().stream()
        .filter(l -> l.contains("circuit breaker for acme storage") && l.contains(transition))
        .count();
  }
}
