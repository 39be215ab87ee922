package io.storageconnect.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state the customer's bucket or object can be in, against every way an original is asked
 * for: what the client sees (status, headers, bytes), whether the bucket's breaker counted the
 * call as an origin fault, and that no upstream connection is left open afterwards.
 *
 * <p>Faults are injected on the wire by the {@link FaultProxy} in front of S3Proxy; the asset
 * "film" has a large original in the customer bucket and a 360p proxy in the managed bucket
 * (which the proxy does not touch). The breaker never opens here (minimum calls 1000): its
 * transitions are {@link BreakerTransitionsTest}'s subject.
 */
class FallbackMatrixTest {
  static final String RENDITION_PATH = "/v1/assets/film/renditions/h264_360p";
  static GatewayFixture gw;
  static FaultProxy proxy;
  static String token;
  static String originalEtag;
  static String proxyEtag;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start(
        Map.of(
            "GATEWAY_ORIGIN_METADATATTL", "0s",
            "GATEWAY_ORIGIN_FIRSTBYTETIMEOUT", "1s",
            "GATEWAY_ORIGIN_READTIMEOUT", "1s",
            "GATEWAY_RESILIENCE_MINIMUMCALLS", "1000",
            "GATEWAY_RESILIENCE_WINDOW", "1000",
            "GATEWAY_ADMIN_TOKEN", GatewayFixture.ADMIN_TOKEN),
        true);
    proxy = gw.customerProxy;
    token = gw.tokens.all(TestData.ACCOUNT, "film");
    originalEtag = gw.head("/v1/assets/film/play", token).headers().firstValue("ETag").orElseThrow();
    proxyEtag = gw.head(RENDITION_PATH, token).headers().firstValue("ETag").orElseThrow();
    assertThat(proxyEtag).isNotEqualTo(originalEtag);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void heal() throws Exception {
    proxy.clearRules();
    GatewayFixture.await(proxy.acceptConnections());
    Await.until("no exchange with the customer bucket left open",
        () -> proxy.openUpstreamConnections() == 0 && proxy.inFlight() == 0);
  }

  /** How the original is asked for. */
  enum Mode {
    REDIRECT("/v1/assets/film/original"),
    STREAM("/v1/assets/film/original?delivery=stream"),
    PLAY("/v1/assets/film/play");

    final String path;

    Mode(String path) {
      this.path = path;
    }
  }

  /** What the bucket or object is like; each sets itself up on the wire. */
  enum State {
    ARCHIVED {
      @Override
      void arrange(Mode mode) {
        headSays(Map.of("x-amz-storage-class", "GLACIER"));
      }
    },
    RESTORING {
      @Override
      void arrange(Mode mode) {
        headSays(Map.of("x-amz-storage-class", "DEEP_ARCHIVE", "x-amz-restore", "ongoing-request=\"true\""));
      }
    },
    RESTORED {
      @Override
      void arrange(Mode mode) {
        headSays(Map.of(
            "x-amz-storage-class", "GLACIER",
            "x-amz-restore", "ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2040 00:00:00 GMT\""));
      }
    },
    IT_ARCHIVE {
      @Override
      void arrange(Mode mode) {
        headSays(Map.of("x-amz-storage-class", "INTELLIGENT_TIERING", "x-amz-archive-status", "DEEP_ARCHIVE_ACCESS"));
      }
    },
    MISSING_404 {
      @Override
      void arrange(Mode mode) {
        onOriginal(Fault.s3Error(404, "NoSuchKey", "The specified key does not exist."));
      }
    },
    /** The seed's policy grants object actions only: S3 answers a missing key with 403. */
    MISSING_403 {
      @Override
      void arrange(Mode mode) {
        onOriginal(Fault.s3Error(403, "AccessDenied", "Access Denied"));
      }
    },
    UNREACHABLE {
      @Override
      void arrange(Mode mode) throws Exception {
        GatewayFixture.await(proxy.refuseConnections());
      }
    },
    BLACKHOLE {
      @Override
      void arrange(Mode mode) {
        onOriginal(Fault.blackhole());
      }
    },
    THROTTLED {
      @Override
      void arrange(Mode mode) {
        onOriginal(Fault.s3Error(503, "SlowDown", "Please reduce your request rate."));
      }
    },
    MID_STREAM_RESET {
      @Override
      void arrange(Mode mode) {
        proxy.when(r -> r.isGet() && r.pathEndsWith("large.mov"), Fault.resetAfter(256 * 1024));
      }
    },
    MISCONFIGURED {
      @Override
      void arrange(Mode mode) {
        onOriginal(Fault.s3Error(
            301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.",
            Map.of("x-amz-bucket-region", "eu-west-1")));
      }
    },
    /** The bucket was down for one request, and is back: the next one is served from it. */
    RECOVERS {
      @Override
      void arrange(Mode mode) throws Exception {
        GatewayFixture.await(proxy.refuseConnections());
        try {
          gw.get(mode.path, token);
        } catch (IOException resetByAFallbackThatWasCut) {
          // Not expected (nothing was sent before the failure), and not what this cell checks.
        }
        GatewayFixture.await(proxy.acceptConnections());
      }
    };

    abstract void arrange(Mode mode) throws Exception;
  }

  static void headSays(Map<String, String> headers) {
    proxy.when(r -> r.isHead() && r.pathEndsWith("large.mov"), Fault.addResponseHeaders(headers));
  }

  static void onOriginal(Fault fault) {
    proxy.when(r -> r.pathEndsWith("large.mov"), fault);
  }

  /** What the client must see. */
  sealed interface Outcome {}

  /** 302 to a presigned GET on the customer bucket. */
  record Redirect() implements Outcome {}

  /** The original's bytes, as itself. */
  record Original() implements Outcome {}

  /** The managed proxy, marked, never cached under the original's URL. */
  record Proxy(String reason) implements Outcome {}

  /** A JSON error linking to the proxy. */
  record Error(int status, String code) implements Outcome {}

  /** Bytes were sent when the origin failed: the connection is reset, never ended as if whole. */
  record Reset() implements Outcome {}

  static final boolean COUNTED = true;
  static final boolean NOT_COUNTED = false;

  static Stream<Arguments> cells() {
    return Stream.of(
        cell(State.ARCHIVED, Mode.REDIRECT, new Error(409, "original_archived"), NOT_COUNTED),
        cell(State.ARCHIVED, Mode.STREAM, new Error(409, "original_archived"), NOT_COUNTED),
        cell(State.ARCHIVED, Mode.PLAY, new Proxy("archived"), NOT_COUNTED),
        cell(State.RESTORING, Mode.REDIRECT, new Error(409, "original_archived"), NOT_COUNTED),
        cell(State.RESTORING, Mode.STREAM, new Error(409, "original_archived"), NOT_COUNTED),
        cell(State.RESTORING, Mode.PLAY, new Proxy("restoring"), NOT_COUNTED),
        cell(State.RESTORED, Mode.REDIRECT, new Redirect(), NOT_COUNTED),
        cell(State.RESTORED, Mode.STREAM, new Original(), NOT_COUNTED),
        cell(State.RESTORED, Mode.PLAY, new Original(), NOT_COUNTED),
        cell(State.IT_ARCHIVE, Mode.REDIRECT, new Error(409, "original_archived"), NOT_COUNTED),
        cell(State.IT_ARCHIVE, Mode.STREAM, new Error(409, "original_archived"), NOT_COUNTED),
        cell(State.IT_ARCHIVE, Mode.PLAY, new Proxy("archived"), NOT_COUNTED),
        cell(State.MISSING_404, Mode.REDIRECT, new Error(404, "original_missing"), NOT_COUNTED),
        cell(State.MISSING_404, Mode.STREAM, new Error(404, "original_missing"), NOT_COUNTED),
        cell(State.MISSING_404, Mode.PLAY, new Proxy("missing"), NOT_COUNTED),
        cell(State.MISSING_403, Mode.REDIRECT, new Error(404, "original_missing"), NOT_COUNTED),
        cell(State.MISSING_403, Mode.STREAM, new Error(404, "original_missing"), NOT_COUNTED),
        cell(State.MISSING_403, Mode.PLAY, new Proxy("missing"), NOT_COUNTED),
        cell(State.UNREACHABLE, Mode.REDIRECT, new Error(503, "origin_unavailable"), COUNTED),
        cell(State.UNREACHABLE, Mode.STREAM, new Error(503, "origin_unavailable"), COUNTED),
        cell(State.UNREACHABLE, Mode.PLAY, new Proxy("unreachable"), COUNTED),
        cell(State.BLACKHOLE, Mode.REDIRECT, new Error(503, "origin_unavailable"), COUNTED),
        cell(State.BLACKHOLE, Mode.STREAM, new Error(503, "origin_unavailable"), COUNTED),
        cell(State.BLACKHOLE, Mode.PLAY, new Proxy("unreachable"), COUNTED),
        cell(State.THROTTLED, Mode.REDIRECT, new Error(503, "origin_unavailable"), COUNTED),
        cell(State.THROTTLED, Mode.STREAM, new Error(503, "origin_unavailable"), COUNTED),
        cell(State.THROTTLED, Mode.PLAY, new Proxy("unreachable"), COUNTED),
        // A redirect reads no body: the browser fetches it from S3 (and resumes there).
        cell(State.MID_STREAM_RESET, Mode.REDIRECT, new Redirect(), NOT_COUNTED),
        cell(State.MID_STREAM_RESET, Mode.STREAM, new Reset(), COUNTED),
        cell(State.MID_STREAM_RESET, Mode.PLAY, new Reset(), COUNTED),
        cell(State.MISCONFIGURED, Mode.REDIRECT, new Error(502, "origin_misconfigured"), NOT_COUNTED),
        cell(State.MISCONFIGURED, Mode.STREAM, new Error(502, "origin_misconfigured"), NOT_COUNTED),
        cell(State.MISCONFIGURED, Mode.PLAY, new Proxy("misconfigured"), NOT_COUNTED),
        cell(State.RECOVERS, Mode.REDIRECT, new Redirect(), COUNTED),
        cell(State.RECOVERS, Mode.STREAM, new Original(), COUNTED),
        cell(State.RECOVERS, Mode.PLAY, new Original(), COUNTED));
  }

  static Arguments cell(State state, Mode mode, Outcome outcome, boolean counted) {
    return Arguments.of(state, mode, outcome, counted);
  }

  @ParameterizedTest(name = "{0} x {1} -> {2}, breaker counts: {3}")
  @MethodSource("cells")
  void stateAndMode_answerAsPromised(State state, Mode mode, Outcome outcome, boolean counted) throws Exception {
    int failedBefore = failedCalls();
    state.arrange(mode);

    if (outcome instanceof Reset) {
      assertThatThrownBy(() -> gw.get(mode.path, token)).isInstanceOf(IOException.class);
    } else if (outcome instanceof Redirect) {
      HttpResponse<byte[]> r = gw.get(mode.path, token);
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("large.mov"));
      assertThat(r.headers().firstValue("X-Delivery-Source")).isEmpty();
    } else if (outcome instanceof Original) {
      HttpResponse<byte[]> r = gw.get(mode.path, token);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("ETag")).hasValue(originalEtag);
      assertThat(r.headers().firstValue("X-Delivery-Source")).isEmpty();
      assertThat(r.body()).isEqualTo(TestData.LARGE);
    } else if (outcome instanceof Proxy fallback) {
      // The player resumes the original it was playing: If-Range names the original's ETag.
      HttpResponse<byte[]> r = gw.get(mode.path, token, "Range", "bytes=1000-", "If-Range", originalEtag);
      assertThat(r.statusCode()).as("the whole proxy, not a range spliced from another representation").isEqualTo(200);
      assertThat(r.headers().firstValue("X-Delivery-Source")).hasValue("managed-proxy");
      assertThat(r.headers().firstValue("X-Delivery-Fallback")).hasValue(fallback.reason());
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(r.headers().firstValue("ETag")).hasValue(proxyEtag);
      assertThat(r.headers().firstValue("Content-Disposition")).hasValueSatisfying(d -> assertThat(d).startsWith("inline"));
      assertThat(r.body()).isEqualTo(TestData.RENDITION);
    } else if (outcome instanceof Error error) {
      HttpResponse<byte[]> r = gw.get(mode.path, token);
      String body = new String(r.body(), StandardCharsets.UTF_8);
      assertThat(r.statusCode()).as(body).isEqualTo(error.status());
      assertThat(new JsonObject(body).getString("error")).isEqualTo(error.code());
      assertThat(new JsonObject(body).getString("proxy")).isEqualTo(RENDITION_PATH);
      assertThat(r.headers().firstValue("Location")).isEmpty();
      assertThat(r.headers().firstValue("Link")).hasValueSatisfying(l -> assertThat(l).contains("<" + RENDITION_PATH + ">"));
      assertThat(r.headers().firstValue("Retry-After").isPresent()).isEqualTo(error.status() == 503);
      assertThat(body).doesNotContain(TestData.CUSTOMER_BUCKET).doesNotContain("<Error>").doesNotContain("large.mov");
      assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("x-amz"));
      if (error.status() >= 500) {
        // Operators see the classification and AWS's request ids; an origin failure is not a
        // bug, so no stack frame (the SDK's internals) is printed with it.
        String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(LogCapture.lines()).filteredOn(l -> l.contains("request " + requestId + " GET") && l.contains(" failed: "))
            .singleElement()
            .satisfies(l -> assertThat(l).contains(error.code()).contains("OriginException[").doesNotContainPattern("\\.java:\\d+\\)"));
      }
    }

    proxy.clearRules();
    Await.until("the breaker's view settled", () -> proxy.inFlight() == 0);
    if (counted) {
      assertThat(failedCalls()).as("origin faults count against the bucket").isGreaterThan(failedBefore);
    } else {
      assertThat(failedCalls()).as("an object's own state is not the bucket's fault").isEqualTo(failedBefore);
    }
    if (state == State.MISCONFIGURED) {
      // The admin view names the region S3 says the bucket is in.
      assertThat(breaker().getJsonObject("lastFailure").getString("bucketRegion")).isEqualTo("eu-west-1");
    }
  }

  static JsonObject breaker() throws Exception {
    HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/v1/accounts/acme/health"))
        .header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN).GET().build());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray breakers = new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonArray("breakers");
    assertThat(breakers).hasSize(1);
    return breakers.getJsonObject(0);
  }

  static int failedCalls() throws Exception {
    return breaker().getInteger("failedCalls");
  }
}
