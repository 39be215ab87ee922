package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.FaultProxy.Request;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streaming from the customer bucket through a fault-injecting proxy on the wire: backpressure,
 * client aborts that must release upstream connections, and upstream failures before and after
 * the first byte.
 */
class StreamingTest {
  static GatewayFixture gw;
  static FaultProxy proxy;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    // Faults here are about streaming, not breakers: keep the breaker from opening. Idle limit:
    // 3 s, so that a loaded 2-core machine is not mistaken for a stalled origin. The first
    // byte may take long enough for the SDK's throttling back-off (503 SlowDown, 3 attempts).
    gw = GatewayFixture.start(java.util.Map.of("GATEWAY_ORIGIN_READTIMEOUT", "3s", "GATEWAY_ORIGIN_FIRSTBYTETIMEOUT", "4s", "GATEWAY_RESILIENCE_MINIMUMCALLS", "1000"), true);
    proxy = gw.customerProxy;
    token = gw.tokens.all(TestData.ACCOUNT, "clip", "large", "huge", "awk-trailing-slash");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void clearFaults() throws Exception {
    proxy.clearRules();
    Await.until("no upstream exchange left open", () -> proxy.openUpstreamConnections() == 0 && proxy.inFlight() == 0);
  }


  /** A raw HTTP/1.1 GET on its own socket, so a test controls exactly how the client reads. */
  static Socket rawGet(String path, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(receiveBuffer);
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", gw.gateway.port()));
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + token + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  @Test
  void stalledClient_upstreamReadIsBoundedByBackpressure() throws Exception {
    long before = proxy.responseBodyBytes();
    try (Socket socket = rawGet("/v1/assets/huge/play", 64 * 1024)) {
      InputStream in = socket.getInputStream();
      in.readNBytes(1024); // headers and a first chunk: the download has started
      // The client now reads nothing. Wait until the upstream transfer stops growing.
      long[] last = {-1};
      int[] stable = {0};
      Await.until("upstream transfer stalls", () -> {
        long now = proxy.responseBodyBytes() - before;
        stable[0] = now == last[0] ? stable[0] + 1 : 0;
        last[0] = now;
        return stable[0] >= 25;
      });
      // Only socket buffers and a bounded demand are in flight, not the 512 MiB object.
      assertThat(last[0]).isLessThan(64L * 1024 * 1024);
    }
    // Closing the client cancels the upstream read.
    Await.until("upstream released", () -> proxy.openUpstreamConnections() == 0);
  }

  @Test
  void clientAborts200Downloads_noUpstreamConnectionLeaks_andGatewayStillServes() throws Exception {
    List<CompletableFuture<Void>> aborts = new ArrayList<>();
    for (int batch = 0; batch < 10; batch++) {
      aborts.clear();
      for (int i = 0; i < 20; i++) {
        aborts.add(CompletableFuture.runAsync(() -> {
          try (Socket socket = rawGet("/v1/assets/large/play", 64 * 1024)) {
            socket.getInputStream().readNBytes(32 * 1024);
            socket.setSoLinger(true, 0); // abort: reset, as a player seeking away does
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }));
      }
      CompletableFuture.allOf(aborts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    Await.until("every aborted download released its upstream connection",
        () -> proxy.openUpstreamConnections() == 0 && proxy.inFlight() == 0);
    for (int i = 0; i < 10; i++) {
      HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(TestData.LARGE);
    }
  }

  @Test
  void upstreamTruncatedMidBody_clientConnectionIsResetNotEnded() {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.truncateAfter(1_000_000));

    // The fixture's client speaks HTTP/2: the stream is reset with INTERNAL_ERROR (0x2), never
    // NO_ERROR, which a lenient client might read as a clean end.
    assertThatThrownBy(() -> gw.get("/v1/assets/large/play", token))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("RST_STREAM: Internal error");
  }

  @Test
  void upstreamTruncatedMidBody_http11ClientSeesConnectionEndBeforeContentLength() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.truncateAfter(1_000_000));

    try (Socket socket = rawGet("/v1/assets/large/play", 256 * 1024)) {
      socket.setSoTimeout(30_000);
      byte[] all = socket.getInputStream().readAllBytes(); // until the gateway closes
      String head = new String(all, 0, Math.min(all.length, 2048), StandardCharsets.ISO_8859_1);
      int bodyStart = head.indexOf("\r\n\r\n") + 4;
      long promised = Long.parseLong(head.replaceAll("(?s).*?(?i:content-length): (\\d+).*", "$1"));

      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(promised).isEqualTo(TestData.LARGE_SIZE);
      assertThat((long) all.length - bodyStart).isLessThan(promised);
    }
  }

  @Test
  void upstreamResetMidBody_clientConnectionIsResetNotEnded() {
    List<String> ranges = new java.util.concurrent.CopyOnWriteArrayList<>();
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov") && ranges.add(String.valueOf(r.headers().get("Range"))),
        Fault.resetAfter(2_000_000));

    assertThatThrownBy(() -> gw.get("/v1/assets/large/play", token)).isInstanceOf(IOException.class);
    // The first GET and two resumes from where each was cut, every one cut again: then the reset.
    assertThat(ranges).hasSize(1 + 2);
    assertThat(ranges.get(0)).isEqualTo("null");
    assertThat(ranges.subList(1, 3)).allSatisfy(range -> assertThat(range).matches("bytes=\\d+-" + (TestData.LARGE_SIZE - 1)));
  }

  /**
   * A body the origin cuts once is asked again from its first missing byte, with If-Match on the
   * ETag: the player gets one whole, byte-exact body and never sees the cut.
   */
  @Test
  void upstreamResetOnceMidBody_restIsAskedAgain_clientGetsTheWholeBody() throws Exception {
    List<Request> gets = new java.util.concurrent.CopyOnWriteArrayList<>();
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov") && gets.add(r) && gets.size() == 1, Fault.resetAfter(2_000_000));

    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.LARGE);
    assertThat(gets).hasSize(2);
    assertThat(gets.get(0).headers().get("Range")).isNull();
    String resumed = gets.get(1).headers().get("Range");
    assertThat(resumed).matches("bytes=\\d+-" + (TestData.LARGE_SIZE - 1));
    long from = Long.parseLong(resumed.substring("bytes=".length(), resumed.indexOf('-')));
    assertThat(from).isBetween(1L, 2_000_000L); // what reached the gateway before the reset
    assertThat(gets.get(1).headers().get("If-Match")).isEqualTo(gets.get(0).headers().get("If-Match")).isNotBlank();
  }

  /** A range request cut mid-body is resumed within its range, never past it. */
  @Test
  void upstreamTruncatedOnce_rangeRequest_restOfTheRangeIsAskedAgain() throws Exception {
    List<Request> gets = new java.util.concurrent.CopyOnWriteArrayList<>();
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov") && gets.add(r) && gets.size() == 1, Fault.resetAfter(100_000));

    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token, "Range", "bytes=1000-4999999");

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(java.util.Arrays.copyOfRange(TestData.LARGE, 1000, 5_000_000));
    assertThat(gets).hasSize(2);
    assertThat(gets.get(0).headers().get("Range")).isEqualTo("bytes=1000-4999999");
    assertThat(gets.get(1).headers().get("Range")).matches("bytes=\\d+-4999999");
  }

  @Test
  void upstreamTruncatedMidBody_rangeResponseIsResetToo() {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.truncateAfter(100_000));

    assertThatThrownBy(() -> gw.get("/v1/assets/large/play", token, "Range", "bytes=0-4999999"))
        .isInstanceOf(IOException.class);
  }

  // "large" has no managed proxy: playback has nothing to fall back to and reports the fault.
  @Test
  void upstream500BeforeAnyByte_noProxyToFallBackTo_answers502JsonWithoutS3Details() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.s3Error(500, "InternalError", "We encountered an internal error."));

    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token);

    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(body).contains("\"error\":\"origin_error\"")
        .doesNotContain("InternalError").doesNotContain("<Error>").doesNotContain(TestData.CUSTOMER_BUCKET);
    assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("x-amz"));
  }

  @Test
  void upstreamSlowDown_noProxy_answers503() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.s3Error(503, "SlowDown", "Please reduce your request rate."));

    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("origin_throttled");
  }

  @Test
  void upstreamConnectionResetBeforeResponse_noProxy_answers502() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.reset());

    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token);

    assertThat(r.statusCode()).isEqualTo(502);
  }

  @Test
  void upstreamNeverAnswers_noProxy_answers504AfterFirstByteTimeout() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.blackhole());

    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token);

    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("origin_timeout");
  }

  @Test
  void streamAndRedirect_keyWithTrailingSlash_reachesUpstreamByteForByte() throws Exception {
    List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();
    proxy.when(r -> {
      paths.add(r.path());
      return false;
    }, Fault.delay(Duration.ZERO));

    HttpResponse<byte[]> streamed = gw.get("/v1/assets/awk-trailing-slash/original?delivery=stream", token);
    HttpResponse<byte[]> redirected = gw.get("/v1/assets/awk-trailing-slash/original", token);

    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(paths).contains("/" + TestData.CUSTOMER_BUCKET + "/" + TestData.PREFIX + TestData.TRAILING_SLASH_KEY);
    assertThat(redirected.statusCode()).isEqualTo(302);
    assertThat(java.net.URI.create(redirected.headers().firstValue("Location").orElseThrow()).getRawPath())
        .isEqualTo("/" + TestData.CUSTOMER_BUCKET + "/" + TestData.PREFIX + TestData.TRAILING_SLASH_KEY);
  }
}
