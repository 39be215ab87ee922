package io.storageconnect.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The customer bucket accepts connections and never answers, while 200 players press play at
 * once: every one of them plays the managed proxy (no 5xx), and once the breaker has opened the
 * next 200 get their proxy without the bucket being asked at all — so without waiting for a
 * timeout.
 */
class BlackholedBucketTest {
  static final int PLAYERS = 200;
  static GatewayFixture gw;
  static FaultProxy proxy;
  static String token;
  static HttpClient players;

  @BeforeAll
  static void start() throws Exception {
    // The first-byte limit bounds the fallback's own calls on the managed bucket too. In this test
    // JVM (paranoid leak detection, S3Proxy in the same process, the JIT compiling, 2 cores) 200
    // simultaneous fallbacks took 1.1-3.5 s: with a 1 s limit ten timed out, opened the managed
    // bucket's breaker, and the second wave got 503 (a clean-clone CI run). A gateway in service
    // has played renditions before a bucket goes dark: the test warms that path first (1.2-2.8 s
    // then), and gives the limit room.
    gw = GatewayFixture.start(
        Map.of(
            "GATEWAY_ORIGIN_FIRSTBYTETIMEOUT", "5s",
            "GATEWAY_ORIGIN_READTIMEOUT", "1s",
            "GATEWAY_ADMIN_TOKEN", GatewayFixture.ADMIN_TOKEN),
        true);
    proxy = gw.customerProxy;
    token = gw.tokens.all(TestData.ACCOUNT, "film");
    // One connection per player, as browsers on different machines.
    players = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.clearRules();
    gw.close();
  }

  @Test
  void blackholedBucket_200ConcurrentPlayers_allPlayTheProxy_andAnOpenBreakerAnswersWithoutAskingTheBucket() throws Exception {
    // In service: the managed proxies have been played before the customer's bucket goes dark.
    assertThat(playAll("/v1/assets/film/renditions/h264_360p"))
        .allSatisfy(r -> assertThat(r.body()).isEqualTo(TestData.RENDITION));
    proxy.when(r -> true, Fault.blackhole());

    List<HttpResponse<byte[]>> first = playAll();
    String state = breakerState();
    proxy.resetCounters();
    List<HttpResponse<byte[]>> second = playAll();

    for (List<HttpResponse<byte[]>> wave : List.of(first, second)) {
      assertThat(wave).hasSize(PLAYERS);
      assertThat(wave).allSatisfy(r -> {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Delivery-Fallback")).hasValue("unreachable");
        assertThat(r.body()).isEqualTo(TestData.RENDITION);
      });
    }
    assertThat(state).isEqualTo("OPEN");
    assertThat(proxy.requestCount()).as("the open breaker answered; the bucket was not asked").isZero();

    proxy.clearRules();
    Await.until("every blackholed exchange was given up by the gateway's client",
        () -> proxy.inFlight() == 0 && proxy.openUpstreamConnections() == 0);
  }

  static List<HttpResponse<byte[]>> playAll() throws Exception {
    return playAll("/v1/assets/film/play");
  }

  static List<HttpResponse<byte[]>> playAll(String path) throws Exception {
    List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
    for (int i = 0; i < PLAYERS; i++) {
      inFlight.add(players.sendAsync(
          gw.request(path, token).GET().build(), HttpResponse.BodyHandlers.ofByteArray()));
    }
    List<HttpResponse<byte[]>> done = new ArrayList<>();
    for (CompletableFuture<HttpResponse<byte[]>> f : inFlight) {
      done.add(f.get(60, TimeUnit.SECONDS));
    }
    return done;
  }

  static String breakerState() throws Exception {
    HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/v1/accounts/acme/health"))
        .header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN).GET().build());
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonArray("breakers").getJsonObject(0).getString("state");
  }
}
