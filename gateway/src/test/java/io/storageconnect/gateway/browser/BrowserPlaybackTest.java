package io.storageconnect.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.storageconnect.gateway.support.DemoMedia;
import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) against the real gateway and the demo's real H.264 media:
 * {@code <video>} plays and seeks by range requests, a player page on another origin reads ranges
 * and their headers through CORS (and one on an unlisted origin cannot), and a video whose bucket
 * is down keeps playing from its managed proxy.
 *
 * <pre>
 *   Chromium ── page ──► page server (http://127.0.0.1:P, in the gateway's CORS list)
 *   Chromium ── media, fetch ──► recorder (FaultProxy: records every request) ──► gateway ──► S3Proxy
 *   Chromium ── page ──► other page server (http://127.0.0.1:Q, not in the list)
 * </pre>
 */
class BrowserPlaybackTest {
  static final String PAGE = """
      <!doctype html>
      <meta charset="utf-8">
      <title>player</title>
      <video id="v" muted playsinline preload="auto"></video>
      <script>
        window.events = [];
        const v = document.getElementById('v');
        for (const e of ['loadedmetadata', 'canplay', 'playing', 'waiting', 'seeking', 'seeked', 'ended', 'error']) {
          v.addEventListener(e, () => window.events.push(e + '@' + v.currentTime.toFixed(2)));
        }
      </script>
      """;
  /** What the page knows of its video, for assertions and time-out messages. */
  static final String VIDEO_STATE = """
      const v = document.getElementById('v');
      const buffered = [];
      for (let i = 0; i < v.buffered.length; i++) buffered.push([v.buffered.start(i), v.buffered.end(i)]);
      return {readyState: v.readyState, networkState: v.networkState, currentTime: v.currentTime,
              duration: v.duration, paused: v.paused, seeking: v.seeking,
              videoWidth: v.videoWidth, videoHeight: v.videoHeight, buffered: JSON.stringify(buffered),
              error: v.error ? v.error.code + ': ' + v.error.message : null,
              playError: window.playError || null, events: window.events.join(' ')};
      """;
  /** A range fetch with a bearer token; resolves to what JavaScript could read of the answer. */
  static final String RANGE_FETCH = """
      const done = arguments[arguments.length - 1];
      fetch(arguments[0], {headers: {Range: 'bytes=0-99', Authorization: 'Bearer ' + arguments[1]}})
        .then(async r => {
          const body = new Uint8Array(await r.arrayBuffer());
          done({status: r.status, contentRange: r.headers.get('Content-Range'),
                source: r.headers.get('X-Delivery-Source'), fallback: r.headers.get('X-Delivery-Fallback'),
                body: Array.from(body)});
        })
        .catch(e => done({error: e.name, message: e.message}));
      """;
  static final Pattern RANGE_START = Pattern.compile("bytes=(\\d+)-\\d*");

  static Vertx vertx;
  static HttpServer pages;
  static HttpServer otherPages;
  static GatewayFixture gw;
  static FaultProxy recorder;
  static final List<FaultProxy.Request> requests = new CopyOnWriteArrayList<>();
  static HeadlessChromium browser;

  @BeforeAll
  static void start() throws Exception {
    // First, so that a machine without Chromium fails at once, before any server starts.
    browser = HeadlessChromium.start(Path.of("target", "browser"));
    vertx = Vertx.vertx();
    pages = GatewayFixture.await(pageServer());
    otherPages = GatewayFixture.await(pageServer());
    gw = GatewayFixture.startWithDemoMedia(Map.of("GATEWAY_CORS_ALLOWEDORIGINS", pageOrigin(pages)));
    recorder = GatewayFixture.await(FaultProxy.start(vertx, "127.0.0.1", gw.gateway.port()));
    // A rule that never matches, for its side effect: every request the browser sends is seen.
    recorder.when(request -> {
      requests.add(request);
      return false;
    }, Fault.delay(Duration.ZERO));
    // The first read of the video (bytes=0-) stops after its first 256 KiB, about 2 s of the 8 s:
    // whenever the test seeks to the middle, those bytes can only come from a new range request.
    // Without this the whole 1 MiB file would arrive at once and a seek would ask for nothing.
    recorder.when(
        request -> request.isGet() && request.pathEndsWith("/" + DemoMedia.VIDEO + "/play") && rangeStart(request) == 0,
        Fault.stallAfter(256 * 1024));
  }

  @AfterEach
  void leavePage() {
    if (browser != null) {
      // Stops the page's media requests before the next test.
      browser.open("about:blank");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (recorder != null) {
        recorder.close();
      }
      if (vertx != null) {
        GatewayFixture.await(vertx.close());
      }
      if (gw != null) {
        gw.close();
      }
    }
  }

  @Test
  void video_playsMetadataAndFrames_thenSeeksToTheMiddleByRangeRequest() throws Exception {
    String token = gw.tokens.mint(TestData.ACCOUNT, List.of(DemoMedia.VIDEO), List.of("play"));
    browser.open(pageOrigin(pages) + "/player.html");
    assertCanPlayH264();

    startVideo(recorderUrl("/v1/assets/" + DemoMedia.VIDEO + "/play?token=" + token));

    awaitVideo("its metadata is loaded", "v.readyState >= 1");
    Map<String, Object> state = videoState();
    assertThat(number(state, "duration")).as("duration, in s").isCloseTo(DemoMedia.declaredDurationSeconds(DemoMedia.original()), within(0.1));
    assertThat(number(state, "videoWidth")).as("the 720p original").isEqualTo(1280);
    assertThat(number(state, "videoHeight")).isEqualTo(720);
    awaitVideo("it plays", "v.currentTime > 0 && !v.paused");

    double middle = number(videoState(), "duration") / 2;
    int before = requests.size();
    browser.run("document.getElementById('v').currentTime = arguments[0];", middle);
    awaitVideo("the seek is done", "window.events.some(e => e.startsWith('seeked'))");
    awaitVideo("it plays on from the middle", "v.currentTime > " + (middle + 0.5) + " && !v.paused");

    List<Long> rangeStarts = since(before).stream()
        .filter(r -> r.isGet() && r.pathEndsWith("/" + DemoMedia.VIDEO + "/play"))
        .map(BrowserPlaybackTest::rangeStart)
        .toList();
    assertThat(rangeStarts).as("starts of the ranges the browser asked the gateway for after seeking; requests: " + describe(requests))
        .anySatisfy(start -> assertThat(start).isPositive());
  }

  @Test
  void rangeFetch_fromListedOrigin_readsStatusContentRangeAndDeliveryHeaders() throws Exception {
    String token = gw.tokens.mint(TestData.ACCOUNT, List.of(DemoMedia.VIDEO), List.of("play"));
    String offlineToken = gw.tokens.mint(TestData.OTHER_ACCOUNT, List.of(DemoMedia.OFFLINE_VIDEO), List.of("play"));
    browser.open(pageOrigin(pages) + "/fetch.html");

    Map<String, Object> original = rangeFetch(DemoMedia.VIDEO, token);
    Map<String, Object> proxy = rangeFetch(DemoMedia.OFFLINE_VIDEO, offlineToken);

    assertThat(number(original, "status")).isEqualTo(206);
    assertThat(original.get("contentRange")).as("Content-Range, read by JavaScript").isEqualTo("bytes 0-99/" + Files.size(DemoMedia.original()));
    assertThat(byteList(original.get("body"))).containsExactlyElementsOf(firstBytes(DemoMedia.original(), 100));
    // The gateway marks only a stand-in (the original's own bytes carry no X-Delivery-Source).
    assertThat(original.get("source")).isNull();
    assertThat(number(proxy, "status")).isEqualTo(206);
    assertThat(proxy.get("contentRange")).as("Content-Range, read by JavaScript").isEqualTo("bytes 0-99/" + Files.size(DemoMedia.rendition360p()));
    assertThat(proxy.get("source")).as("X-Delivery-Source, read by JavaScript").isEqualTo("managed-proxy");
    assertThat(proxy.get("fallback")).as("X-Delivery-Fallback, read by JavaScript").isEqualTo("unreachable");
    assertThat(byteList(proxy.get("body"))).containsExactlyElementsOf(firstBytes(DemoMedia.rendition360p(), 100));
  }

  @Test
  void rangeFetch_fromOriginNotListed_failsWithTypeError() throws Exception {
    String token = gw.tokens.mint(TestData.ACCOUNT, List.of(DemoMedia.VIDEO), List.of("play"));
    browser.open(pageOrigin(otherPages) + "/fetch.html");
    int before = requests.size();

    Map<String, Object> answer = browser.runAsync(RANGE_FETCH, recorderUrl("/v1/assets/" + DemoMedia.VIDEO + "/play"), token);

    assertThat(answer.get("error")).as("what the page saw: " + answer).isEqualTo("TypeError");
    // The browser did reach the gateway: its preflight from that origin was refused, and the GET never sent.
    List<FaultProxy.Request> sent = since(before);
    assertThat(sent).as(describe(sent))
        .anySatisfy(r -> {
          assertThat(r.method()).isEqualTo("OPTIONS");
          assertThat(r.headers().get("Origin")).isEqualTo(pageOrigin(otherPages));
        })
        .noneSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
  }

  @Test
  void video_whoseBucketIsDown_playsTheManagedProxy() throws Exception {
    String token = gw.tokens.mint(TestData.OTHER_ACCOUNT, List.of(DemoMedia.OFFLINE_VIDEO), List.of("play"));
    browser.open(pageOrigin(pages) + "/player.html");
    assertCanPlayH264();

    startVideo(recorderUrl("/v1/assets/" + DemoMedia.OFFLINE_VIDEO + "/play?token=" + token));

    awaitVideo("its metadata is loaded", "v.readyState >= 1");
    Map<String, Object> state = videoState();
    assertThat(number(state, "duration")).as("duration, in s").isCloseTo(DemoMedia.declaredDurationSeconds(DemoMedia.rendition360p()), within(0.1));
    assertThat(number(state, "videoWidth")).as("the 360p proxy, not the original").isEqualTo(640);
    assertThat(number(state, "videoHeight")).isEqualTo(360);
    awaitVideo("it plays", "v.currentTime > 0 && !v.paused");
    // What the browser was given, seen from outside:
    HttpResponse<byte[]> probe = gw.get("/v1/assets/" + DemoMedia.OFFLINE_VIDEO + "/play", token, "Range", "bytes=0-0");
    assertThat(probe.statusCode()).isEqualTo(206);
    assertThat(probe.headers().firstValue("X-Delivery-Source")).hasValue("managed-proxy");
    assertThat(probe.headers().firstValue("X-Delivery-Fallback")).hasValue("unreachable");
  }

  // --- helpers ---

  static io.vertx.core.Future<HttpServer> pageServer() {
    return vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8").end(PAGE))
        .listen(0, "127.0.0.1");
  }

  static String pageOrigin(HttpServer server) {
    return "http://127.0.0.1:" + server.actualPort();
  }

  static String recorderUrl(String pathAndQuery) {
    return recorder.endpoint() + pathAndQuery;
  }

  /** Fails, never skips, when this Chromium cannot decode the demo's H.264 High + AAC-LC. */
  static void assertCanPlayH264() {
    Object answer = browser.run("return document.getElementById('v').canPlayType('video/mp4; codecs=\"avc1.64001f, mp4a.40.2\"');");
    assertThat(answer).as("canPlayType(H.264 High + AAC-LC in MP4): this Chromium build lacks the codecs the demo media use")
        .isIn("probably", "maybe");
  }

  static void startVideo(String url) {
    browser.run("""
        const v = document.getElementById('v');
        v.src = arguments[0];
        v.play().catch(e => window.playError = e.name + ': ' + e.message);
        """, url);
  }

  /** Waits until {@code condition} holds for the video {@code v}; a media error fails at once. */
  static void awaitVideo(String what, String condition) {
    browser.awaitTrue(what,
        "(() => { const v = document.getElementById('v');"
            + " if (v.error) throw new Error('media error ' + v.error.code + ': ' + v.error.message);"
            + " return " + condition + "; })()",
        BrowserPlaybackTest::videoState);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> videoState() {
    return (Map<String, Object>) browser.run(VIDEO_STATE);
  }

  static double number(Map<String, Object> map, String key) {
    Object value = map.get(key);
    assertThat(value).as(key + " in " + map).isInstanceOf(Number.class);
    return ((Number) value).doubleValue();
  }

  /** The requests recorded after the first {@code count}. */
  static List<FaultProxy.Request> since(int count) {
    List<FaultProxy.Request> all = List.copyOf(requests);
    return all.subList(count, all.size());
  }

  /** The first byte a request asks for: 0 for a whole-object GET. */
  static long rangeStart(FaultProxy.Request request) {
    String range = request.headers().get("Range");
    if (range == null) {
      return 0;
    }
    Matcher m = RANGE_START.matcher(range.trim());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Requests as method, path and Range only: never the query, where a token is. */
  static String describe(List<FaultProxy.Request> list) {
    return list.stream().map(r -> r.method() + " " + r.path() + " " + r.headers().get("Range")).toList().toString();
  }

  /** A range fetch from the open page, through the recorder; what JavaScript could read of it. */
  static Map<String, Object> rangeFetch(String asset, String token) {
    Map<String, Object> answer = browser.runAsync(RANGE_FETCH, recorderUrl("/v1/assets/" + asset + "/play"), token);
    assertThat(answer).as("what the page saw of " + asset).doesNotContainKey("error");
    return answer;
  }

  static List<Byte> byteList(Object jsArray) {
    return ((List<?>) jsArray).stream().map(b -> (byte) ((Number) b).intValue()).toList();
  }

  static List<Byte> firstBytes(Path file, int n) throws java.io.IOException {
    byte[] all = Files.readAllBytes(file);
    List<Byte> list = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(all[i]);
    }
    return list;
  }
}
