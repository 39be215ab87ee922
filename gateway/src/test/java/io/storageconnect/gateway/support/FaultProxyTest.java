package io.storageconnect.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.FaultProxy.Request;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpResponseHandler;
import software.amazon.awssdk.http.async.SdkHttpContentPublisher;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;

/**
 * The proxy between a Vert.x client and a tiny Vert.x upstream, both on ephemeral ports.
 * The test thread blocks on futures (it is no event loop); the proxy, the upstream and the
 * client run on Vert.x event loops. Nothing sleeps and no duration is asserted: waiting is
 * either a client's idle timeout or a poll on Vert.x timers.
 */
@ExtendWith(VertxExtension.class)
class FaultProxyTest {

  /** Raw on purpose: space, plus, percent, UTF-8, an empty segment and a trailing slash. */
  private static final String AWKWARD_PATH = "/bucket/a%20b+c%25/%E6%9D%B1//x/";
  private static final Buffer MIB = pattern(1024 * 1024);
  /** Far more than the socket buffers on both sides of the proxy hold: a stalled client pauses it. */
  private static final Buffer BIG = repeat(MIB, 32);
  private static final int CLIENT_IDLE_TIMEOUT_MS = 500;

  private Vertx vertx;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private FaultProxy proxy;
  private HttpClientAgent client;

  /** What the upstream received. */
  private record Seen(String method, String uri, MultiMap headers, Buffer body) {
  }

  /** What the client received: a status of -1 means no response at all. */
  private record Received(int status, MultiMap headers, Buffer body, Throwable failure) {
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    HttpServer upstream = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setHandle100ContinueAutomatically(true))
        .requestHandler(this::upstream)
        .listen());
    proxy = await(FaultProxy.start(vertx, "127.0.0.1", upstream.actualPort()));
    client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(proxy.port()))
        // Resets are what some tests provoke: each request reports them, no need to log.
        .withConnectHandler(connection -> connection.exceptionHandler(err -> { }))
        .build();
  }

  /** Every test, faulted or not, must leave nothing open in the proxy once clients are gone. */
  @AfterEach
  void nothingLeftOpen() throws Exception {
    await(client.close());
    await(eventually(() -> proxy.inFlight() == 0
        && proxy.openUpstreamConnections() == 0
        && proxy.openClientConnections() == 0));
    proxy.close();
  }

  /**
   * Echoes a request body, or answers {@link #MIB} ({@link #BIG} for a path ending in {@code
   * /big}) when there is none; a path ending in {@code /chunked} is answered chunked, a HEAD
   * with the length of {@link #MIB} only.
   */
  private void upstream(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      seen.add(new Seen(req.method().name(), req.uri(),
          MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body));
      HttpServerResponse resp = req.response()
          .putHeader("content-type", "application/octet-stream")
          .putHeader("x-amz-storage-class", "STANDARD")
          .putHeader("x-upstream", "yes");
      resp.headers().add("x-multi", "a").add("x-multi", "b");
      Buffer answer = body.length() > 0 ? body : req.path().endsWith("/big") ? BIG : MIB;
      if (req.method() == HttpMethod.HEAD) {
        resp.putHeader("content-length", String.valueOf(MIB.length())).end();
      } else if (req.path().endsWith("/chunked")) {
        resp.setChunked(true);
        for (int at = 0; at < answer.length(); at += 100_000) {
          resp.write(answer.getBuffer(at, Math.min(answer.length(), at + 100_000)));
        }
        resp.end();
      } else {
        resp.end(answer);
      }
    });
  }

  // --- pass-through -------------------------------------------------------------------

  @Test
  void forward_awkwardRawPathHeadersAndMibBody_arriveUnchangedBothWays() throws Exception {
    AtomicReference<Request> matched = new AtomicReference<>();
    proxy.when(r -> {
      matched.set(r);
      return false;
    }, Fault.blackhole());
    String uri = AWKWARD_PATH + "?partNumber=1&uploadId=a%2Fb%3D";
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Host", "bucket.s3.test:9000")
        .add("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/us-east-1/s3/"
            + "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123abcd")
        .add("x-amz-date", "20261203T120000Z")
        .add("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
        .add("x-amz-meta-multi", "one")
        .add("x-amz-meta-multi", "two");

    Received got = await(send(new RequestOptions().setMethod(HttpMethod.PUT).setURI(uri)
        .setHeaders(headers), MIB));

    assertThat(seen).hasSize(1);
    Seen at = seen.get(0);
    assertThat(at.method()).isEqualTo("PUT");
    assertThat(at.uri()).isEqualTo(uri);
    assertThat(at.headers().get("Host")).isEqualTo("bucket.s3.test:9000");
    assertThat(at.headers().get("Authorization")).isEqualTo(headers.get("Authorization"));
    assertThat(at.headers().get("x-amz-date")).isEqualTo("20261203T120000Z");
    assertThat(at.headers().get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
    assertThat(at.headers().getAll("x-amz-meta-multi")).containsExactly("one", "two");
    assertThat(at.headers().get("Content-Length")).isEqualTo(String.valueOf(MIB.length()));
    assertThat(at.body()).isEqualTo(MIB);

    assertThat(got.failure()).isNull();
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.headers().get("x-upstream")).isEqualTo("yes");
    assertThat(got.headers().getAll("x-multi")).containsExactly("a", "b");
    assertThat(got.headers().get("content-length")).isEqualTo(String.valueOf(MIB.length()));
    // The proxy's upstream leg closes after each exchange; that is not the client's business.
    assertThat(got.headers().contains("connection", "close", true)).isFalse();
    assertThat(got.body()).isEqualTo(MIB);

    assertThat(matched.get().method()).isEqualTo("PUT");
    assertThat(matched.get().uri()).isEqualTo(uri);
    assertThat(matched.get().path()).isEqualTo(AWKWARD_PATH);
    assertThat(matched.get().pathEndsWith("//x/")).isTrue();
    assertThat(matched.get().headers().get("Host")).isEqualTo("bucket.s3.test:9000");
    assertThat(proxy.requestCount()).isEqualTo(1);
  }

  @Test
  void forward_chunkedUploadAndChunkedAnswer_bodiesArriveWhole() throws Exception {
    Future<Received> sent = client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setURI("/bucket/upload/chunked"))
        .compose(req -> {
          req.setChunked(true);
          for (int at = 0; at < MIB.length(); at += 64 * 1024) {
            req.write(MIB.getBuffer(at, at + 64 * 1024));
          }
          req.end();
          return collect(req);
        });

    Received got = await(sent);

    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).headers().get("transfer-encoding")).isEqualTo("chunked");
    assertThat(seen.get(0).body()).isEqualTo(MIB);
    assertThat(got.failure()).isNull();
    assertThat(got.headers().get("transfer-encoding")).isEqualTo("chunked");
    assertThat(got.body()).isEqualTo(MIB);
  }

  @Test
  void forward_expectContinue_relaysTheTargets100BeforeTheBody() throws Exception {
    AtomicInteger continues = new AtomicInteger();
    Future<Received> sent = client.request(new RequestOptions().setMethod(HttpMethod.PUT)
            .setURI("/bucket/key")
            .putHeader("Expect", "100-continue")
            .putHeader("Content-Length", String.valueOf(MIB.length())))
        .compose(req -> {
          // The body goes only once the target's 100 has come back through the proxy.
          req.continueHandler(v -> {
            continues.incrementAndGet();
            req.end(MIB);
          });
          req.sendHead();
          return collect(req);
        });

    Received got = await(sent);

    assertThat(continues).hasValue(1);
    assertThat(got.failure()).isNull();
    assertThat(got.status()).isEqualTo(200);
    assertThat(seen.get(0).headers().get("Expect")).isEqualTo("100-continue");
    assertThat(seen.get(0).body()).isEqualTo(MIB);
    assertThat(got.body()).isEqualTo(MIB);
  }

  @Test
  void forward_head_keepsUpstreamContentLengthWithoutBody() throws Exception {
    Received got = await(send(new RequestOptions().setMethod(HttpMethod.HEAD)
        .setURI(AWKWARD_PATH + "key"), null));

    assertThat(got.failure()).isNull();
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.headers().get("content-length")).isEqualTo(String.valueOf(MIB.length()));
    assertThat(got.body().length()).isZero();
    assertThat(seen).extracting(Seen::method).containsExactly("HEAD");
  }

  // --- faults before the target is asked ----------------------------------------------

  @Test
  void delay_matchingGet_isForwardedUnchangedAfterwards() throws Exception {
    proxy.when(Request::isGet, Fault.delay(Duration.ofMillis(200)));

    Received got = await(send(new RequestOptions().setURI(AWKWARD_PATH + "key"), null));

    assertThat(got.failure()).isNull();
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(MIB);
    assertThat(seen).extracting(Seen::uri).containsExactly(AWKWARD_PATH + "key");
  }

  @Test
  void blackhole_clientWithIdleTimeout_timesOutAndTargetIsNeverAsked() throws Exception {
    proxy.when(r -> true, Fault.blackhole());

    Received got = await(send(idle(new RequestOptions().setURI("/bucket/key")), null));

    assertThat(got.status()).isEqualTo(-1);
    assertThat(got.failure()).isInstanceOf(TimeoutException.class);
    assertThat(seen).isEmpty();
    // The timed-out client closes its connection: the exchange is over, client still alive.
    await(eventually(() -> proxy.inFlight() == 0));
  }

  @Test
  void reset_anyRequest_clientSeesConnectionErrorAndNoResponse() throws Exception {
    proxy.when(r -> true, Fault.reset());

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.status()).isEqualTo(-1);
    assertConnectionReset(got.failure());
    assertThat(seen).isEmpty();
    await(eventually(() -> proxy.inFlight() == 0));
  }

  @Test
  void refuseConnections_connectIsRefused_untilAcceptedAgainOnTheSamePort() throws Exception {
    int port = proxy.port();
    await(proxy.refuseConnections());

    Throwable refused = await(send(new RequestOptions().setURI("/bucket/key"), null)
        .map(received -> (Throwable) null)
        .otherwise(failure -> failure));
    // Nobody else gets the port meanwhile (a server on port 0 once did, and answered).
    Throwable takenWhileRefused = null;
    try (var other = java.nio.channels.ServerSocketChannel.open()) {
      other.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, false);
      other.bind(new java.net.InetSocketAddress("127.0.0.1", port));
    } catch (java.io.IOException e) {
      takenWhileRefused = e;
    }
    await(proxy.acceptConnections());
    Received again = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(refused).hasRootCauseInstanceOf(java.net.ConnectException.class);
    assertThat(takenWhileRefused).isInstanceOf(java.net.BindException.class);
    assertThat(proxy.port()).isEqualTo(port);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(MIB);
  }

  /**
   * The fault matrix refuses and accepts again between requests; each refusal must hold the
   * port although the listener closed a moment ago and its connections linger in TIME_WAIT.
   */
  @Test
  void refuseConnections_afterServedRequests_manyTimesInARow() throws Exception {
    for (int round = 0; round < 50; round++) {
      // The proxy closes this connection after answering: its side lingers in TIME_WAIT.
      Received served = await(send(new RequestOptions().setURI("/bucket/key").putHeader("Connection", "close"), null));
      await(proxy.refuseConnections());
      Throwable refused = await(send(new RequestOptions().setURI("/bucket/key"), null)
          .map(received -> (Throwable) null)
          .otherwise(failure -> failure));
      await(proxy.acceptConnections());

      assertThat(served.status()).as("round %d", round).isEqualTo(200);
      assertThat(refused).as("round %d", round).hasRootCauseInstanceOf(java.net.ConnectException.class);
    }
  }

  @Test
  void s3Error_get_answersS3XmlWithoutAskingTarget() throws Exception {
    proxy.when(Request::isGet, Fault.s3Error(503, "SlowDown", "Please reduce your request rate."));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.status()).isEqualTo(503);
    assertThat(got.headers().get("content-type")).isEqualTo("application/xml");
    String requestId = got.headers().get("x-amz-request-id");
    assertThat(requestId).isNotBlank();
    assertThat(got.body().toString())
        .startsWith("<?xml")
        .contains("<Error><Code>SlowDown</Code>")
        .contains("<Message>Please reduce your request rate.</Message>")
        .contains("<RequestId>" + requestId + "</RequestId>")
        .endsWith("</Error>");
    assertThat(seen).isEmpty();
  }

  @Test
  void s3Error_head_answersStatusAndHeadersWithoutBody() throws Exception {
    proxy.when(Request::isHead, Fault.s3Error(404, "NoSuchKey", "The specified key does not exist."));

    Received got = await(send(new RequestOptions().setMethod(HttpMethod.HEAD).setURI("/bucket/key"), null));

    assertThat(got.failure()).isNull();
    assertThat(got.status()).isEqualTo(404);
    assertThat(got.headers().get("content-type")).isEqualTo("application/xml");
    assertThat(got.headers().get("x-amz-request-id")).isNotBlank();
    assertThat(got.body().length()).isZero();
    assertThat(seen).isEmpty();
  }

  @Test
  void s3Error_withExtraHeaders_sendsThemAndEscapesTheMessage() throws Exception {
    proxy.when(r -> true, Fault.s3Error(301, "PermanentRedirect", "Use <eu-west-1> & retry",
        Map.of("x-amz-bucket-region", "eu-west-1")));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.status()).isEqualTo(301);
    assertThat(got.headers().get("x-amz-bucket-region")).isEqualTo("eu-west-1");
    assertThat(got.body().toString())
        .contains("<Code>PermanentRedirect</Code>")
        .contains("<Message>Use &lt;eu-west-1&gt; &amp; retry</Message>");
  }

  // --- faults on the answer -----------------------------------------------------------

  @Test
  void addResponseHeaders_forwarded_replacesAndAddsHeadersKeepingBody() throws Exception {
    proxy.when(Request::isGet, Fault.addResponseHeaders(Map.of(
        "x-amz-storage-class", "GLACIER",
        "x-amz-restore", "ongoing-request=\"true\"")));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.headers().getAll("x-amz-storage-class")).containsExactly("GLACIER");
    assertThat(got.headers().get("x-amz-restore")).isEqualTo("ongoing-request=\"true\"");
    assertThat(got.headers().get("x-upstream")).isEqualTo("yes");
    assertThat(got.body()).isEqualTo(MIB);
  }

  @Test
  void truncateAfter_longerBody_clientGetsExactlyThoseBytesThenAnError() throws Exception {
    proxy.when(Request::isGet, Fault.truncateAfter(100_000));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.headers().get("content-length")).isEqualTo(String.valueOf(MIB.length()));
    assertThat(got.failure()).isInstanceOf(HttpClosedException.class);
    assertThat(got.body()).isEqualTo(MIB.getBuffer(0, 100_000));
  }

  @Test
  void truncateAfter_zeroBytes_clientGetsHeadersThenAnError() throws Exception {
    proxy.when(Request::isGet, Fault.truncateAfter(0));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.failure()).isInstanceOf(HttpClosedException.class);
    assertThat(got.body().length()).isZero();
  }

  @Test
  void truncateAfter_chunkedBody_clientSeesErrorNotTheEnd() throws Exception {
    proxy.when(Request::isGet, Fault.truncateAfter(150_000));

    Received got = await(send(new RequestOptions().setURI("/bucket/key/chunked"), null));

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.failure()).isInstanceOf(HttpClosedException.class);
    assertThat(got.body()).isEqualTo(MIB.getBuffer(0, 150_000));
  }

  @Test
  void truncateAfter_bodyNotLonger_completesNormally() throws Exception {
    proxy.when(Request::isGet, Fault.truncateAfter(MIB.length()));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.failure()).isNull();
    assertThat(got.body()).isEqualTo(MIB);
  }

  @Test
  void resetAfter_longerBody_clientSeesErrorAfterAtMostThoseBytes() throws Exception {
    proxy.when(Request::isGet, Fault.resetAfter(100_000));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.status()).isEqualTo(200);
    assertConnectionReset(got.failure());
    // An RST may overtake bytes not yet read, so "at most"; those that arrive are right.
    assertThat(got.body().length()).isLessThanOrEqualTo(100_000);
    assertThat(got.body()).isEqualTo(MIB.getBuffer(0, got.body().length()));
  }

  @Test
  void stallAfter_longerBody_clientGetsThoseBytesThenIdleTimesOut() throws Exception {
    proxy.when(Request::isGet, Fault.stallAfter(100_000));

    Received got = await(send(idle(new RequestOptions().setURI("/bucket/key")), null));

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.failure()).isInstanceOf(TimeoutException.class);
    assertThat(got.body()).isEqualTo(MIB.getBuffer(0, 100_000));
    await(eventually(() -> proxy.inFlight() == 0));
  }

  @Test
  void slowBody_forwarded_deliversWholeBody() throws Exception {
    proxy.when(Request::isGet, Fault.slowBody(64 * 1024, Duration.ofMillis(2)));

    Received got = await(send(new RequestOptions().setURI("/bucket/key"), null));

    assertThat(got.failure()).isNull();
    assertThat(got.headers().get("content-length")).isEqualTo(String.valueOf(MIB.length()));
    assertThat(got.body()).isEqualTo(MIB);
  }

  // --- rules and counters -------------------------------------------------------------

  @Test
  void when_severalRulesMatch_firstAddedWinsOnEveryRequestUntilCleared() throws Exception {
    proxy.when(r -> r.pathEndsWith("/a"), Fault.s3Error(500, "InternalError", "first"))
        .when(r -> true, Fault.s3Error(503, "SlowDown", "second"));

    assertThat(await(send(new RequestOptions().setURI("/bucket/a"), null)).status()).isEqualTo(500);
    assertThat(await(send(new RequestOptions().setURI("/bucket/b"), null)).status()).isEqualTo(503);
    assertThat(await(send(new RequestOptions().setURI("/bucket/a"), null)).status()).isEqualTo(500);
    assertThat(seen).isEmpty();

    proxy.clearRules();

    assertThat(await(send(new RequestOptions().setURI("/bucket/a"), null)).status()).isEqualTo(200);
    assertThat(seen).hasSize(1);
  }

  @Test
  void requestCount_countsFaultedAndForwardedRequests_untilReset() throws Exception {
    proxy.when(Request::isHead, Fault.s3Error(404, "NoSuchKey", "gone"));

    await(send(new RequestOptions().setURI("/bucket/key"), null));
    await(send(new RequestOptions().setMethod(HttpMethod.HEAD).setURI("/bucket/key"), null));
    assertThat(proxy.requestCount()).isEqualTo(2);

    proxy.resetCounters();
    assertThat(proxy.requestCount()).isZero();
    await(send(new RequestOptions().setURI("/bucket/key"), null));
    assertThat(proxy.requestCount()).isEqualTo(1);
  }

  @Test
  void inFlight_blackholedRequests_countUntilTheirClientsAreGone() throws Exception {
    proxy.when(r -> true, Fault.blackhole());
    for (int i = 0; i < 3; i++) {
      client.request(new RequestOptions().setURI("/bucket/key" + i)).compose(HttpClientRequest::send);
    }

    await(eventually(() -> proxy.inFlight() == 3));
    await(client.close());

    await(eventually(() -> proxy.inFlight() == 0));
  }

  // --- Netty buffers -----------------------------------------------------------------

  /**
   * Every way an exchange is abandoned while the proxy's upstream response is paused for
   * backpressure (the client stopped reading): a client that goes away (FIN or RST), a
   * truncating or resetting fault cutting the body, a slow body whose client goes away. The
   * bytes the proxy has read from the target but not yet relayed are pooled Netty buffers;
   * each must be released, which the paranoid leak detector (set by Surefire) checks once the
   * garbage is collected.
   */
  @Test
  void abandonedWhileUpstreamPaused_everyNettyBufferIsReleased() throws Exception {
    List<String> before = leakReports();

    abortWhileStalled(false);
    abortWhileStalled(true);
    proxy.when(r -> true, Fault.truncateAfter(BIG.length() - MIB.length()));
    readOnAfterStall();
    proxy.clearRules();
    proxy.when(r -> true, Fault.resetAfter(BIG.length() - MIB.length()));
    readOnAfterStall();
    proxy.clearRules();
    proxy.when(r -> true, Fault.slowBody(64 * 1024, Duration.ofMillis(1)));
    abortWhileStalled(true);

    List<String> after = leakReports();
    assertThat(after.subList(before.size(), after.size()))
        .as("Netty leak reports since the test started").isEmpty();
  }

  /** GETs the big body, stops reading until the proxy stalls, then goes away. */
  private void abortWhileStalled(boolean rst) throws Exception {
    try (Socket socket = rawGet("/bucket/big")) {
      awaitStall(socket);
      if (rst) {
        socket.setSoLinger(true, 0);
      }
    }
    awaitIdle();
  }

  /**
   * GETs the big body, stops reading until the proxy stalls, then reads on until the fault
   * cuts the body (the end of the stream, or a connection reset).
   */
  private void readOnAfterStall() throws Exception {
    try (Socket socket = rawGet("/bucket/big")) {
      awaitStall(socket);
      try {
        socket.getInputStream().readAllBytes();
      } catch (SocketException expected) {
        // reset by the fault
      }
    }
    awaitIdle();
  }

  private void awaitIdle() throws Exception {
    await(eventually(() -> proxy.inFlight() == 0 && proxy.openUpstreamConnections() == 0));
  }

  /** A raw socket client, so that the test decides exactly when it reads and how it leaves. */
  private Socket rawGet(String path) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(16 * 1024);
    // A bug must fail the test (SocketTimeoutException), not hang it.
    socket.setSoTimeout(15_000);
    socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()));
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: bucket.s3.test\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /**
   * Reads the start of the answer, then nothing, until the proxy has relayed nothing more for
   * 20 polls: its upstream response is then paused with the target's bytes queued behind it.
   */
  private void awaitStall(Socket socket) throws Exception {
    long start = proxy.responseBodyBytes();
    assertThat(socket.getInputStream().readNBytes(1024)).hasSize(1024);
    long[] last = {-1};
    int[] stable = {0};
    await(eventually(() -> {
      long now = proxy.responseBodyBytes();
      stable[0] = now == last[0] ? stable[0] + 1 : 0;
      last[0] = now;
      return stable[0] >= 20;
    }));
    // Precondition, not a result: the stall came well before the end of the body (and the cut).
    assertThat(last[0] - start).isLessThan(BIG.length() - MIB.length());
  }

  /**
   * Collects garbage and then allocates tracked buffers, on which the leak detector reports
   * what it found collected but unreleased (as {@link RuntimeChecks} does); returns every leak
   * report logged so far. Reads {@link LogCapture#lines()}, which drains nothing, so that
   * {@link RuntimeChecks} still sees every alarm.
   */
  private static List<String> leakReports() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      for (int j = 0; j < 64; j++) {
        PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
        UnpooledByteBufAllocator.DEFAULT.directBuffer(64).release();
      }
    }
    return LogCapture.lines().stream().filter(line -> line.contains("LEAK:")).toList();
  }

  // --- what the AWS SDK's HTTP client makes of it ---------------------------------------

  @Test
  void awsSdkNettyClient_truncateAfter_failsTheBodyWithIoException() throws Exception {
    proxy.when(Request::isGet, Fault.truncateAfter(100_000));

    Throwable failure = sdkGet("/bucket/key");

    assertThat(failure).isInstanceOf(IOException.class)
        .hasMessageContaining("content-length of " + MIB.length())
        .hasMessageContaining("only received 100000 bytes");
  }

  @Test
  void awsSdkNettyClient_resetAfter_failsTheBodyWithConnectionReset() throws Exception {
    proxy.when(Request::isGet, Fault.resetAfter(100_000));

    Throwable failure = sdkGet("/bucket/key");

    assertConnectionReset(failure);
  }

  @Test
  void awsSdkNettyClient_reset_failsTheRequestWithConnectionReset() throws Exception {
    proxy.when(Request::isGet, Fault.reset());

    Throwable failure = sdkGet("/bucket/key");

    assertConnectionReset(failure);
  }

  /**
   * An RST, not a FIN: the JDK's socket says "Connection reset", Netty's native transports
   * "Connection reset by peer"; a FIN would be Vert.x's "Connection was closed" instead.
   */
  private static void assertConnectionReset(Throwable failure) {
    assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("Connection reset");
  }

  /** GETs through the SDK's Netty client; returns what failed the exchange, or null. */
  private Throwable sdkGet(String path) throws Exception {
    SdkAsyncHttpClient sdk = NettyNioAsyncHttpClient.builder().build();
    try {
      CompletableFuture<Long> bodyBytes = new CompletableFuture<>();
      sdk.execute(AsyncExecuteRequest.builder()
          .request(SdkHttpFullRequest.builder()
              .method(SdkHttpMethod.GET)
              .protocol("http")
              .host("127.0.0.1")
              .port(proxy.port())
              .encodedPath(path)
              .build())
          .requestContentPublisher(new NoContent())
          .responseHandler(new SdkAsyncHttpResponseHandler() {
            @Override
            public void onHeaders(SdkHttpResponse headers) {
            }

            @Override
            public void onStream(org.reactivestreams.Publisher<ByteBuffer> stream) {
              stream.subscribe(new Subscriber<>() {
                private long count;

                @Override
                public void onSubscribe(Subscription s) {
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(ByteBuffer b) {
                  count += b.remaining();
                }

                @Override
                public void onError(Throwable t) {
                  bodyBytes.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                  bodyBytes.complete(count);
                }
              });
            }

            @Override
            public void onError(Throwable t) {
              bodyBytes.completeExceptionally(t);
            }
          })
          .build());
      try {
        bodyBytes.get(10, TimeUnit.SECONDS);
        return null;
      } catch (ExecutionException e) {
        return e.getCause();
      }
    } finally {
      sdk.close();
    }
  }

  private static final class NoContent implements SdkHttpContentPublisher {
    @Override
    public Optional<Long> contentLength() {
      return Optional.of(0L);
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
      s.onSubscribe(new Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
      });
      s.onComplete();
    }
  }

  // --- helpers ------------------------------------------------------------------------

  private static RequestOptions idle(RequestOptions options) {
    return options.setIdleTimeout(CLIENT_IDLE_TIMEOUT_MS);
  }

  private Future<Received> send(RequestOptions options, Buffer body) {
    return client.request(options)
        .compose(req -> {
          if (body == null) {
            req.end();
          } else {
            req.end(body);
          }
          return collect(req, options.getIdleTimeout());
        });
  }

  private Future<Received> collect(HttpClientRequest req) {
    return collect(req, 0);
  }

  /**
   * The response and as much of its body as arrived; never fails, reports the failure.
   * Vert.x's request idle timeout stops at the response head, so with {@code idleMs > 0}
   * the body gets its own: no data for that long fails it with a {@link TimeoutException}
   * and resets the request, as a client giving up would.
   */
  private Future<Received> collect(HttpClientRequest req, long idleMs) {
    Promise<Received> done = Promise.promise();
    req.response().onComplete(head -> {
      if (head.failed()) {
        done.tryComplete(new Received(-1, null, Buffer.buffer(), head.cause()));
        return;
      }
      var resp = head.result();
      Buffer body = Buffer.buffer();
      long[] timer = {-1};
      Runnable arm = () -> {
        if (idleMs > 0) {
          vertx.cancelTimer(timer[0]);
          timer[0] = vertx.setTimer(idleMs, id -> {
            if (done.tryComplete(new Received(resp.statusCode(), resp.headers(), body,
                new TimeoutException("no body data for " + idleMs + " ms")))) {
              req.reset();
            }
          });
        }
      };
      arm.run();
      resp.handler(chunk -> {
        body.appendBuffer(chunk);
        arm.run();
      });
      resp.exceptionHandler(err -> {
        vertx.cancelTimer(timer[0]);
        done.tryComplete(new Received(resp.statusCode(), resp.headers(), body, err));
      });
      resp.endHandler(v -> {
        vertx.cancelTimer(timer[0]);
        done.tryComplete(new Received(resp.statusCode(), resp.headers(), body, null));
      });
    });
    return done.future();
  }

  /** Completes when {@code condition} holds, checking every 20 ms on a Vert.x timer. */
  private Future<Void> eventually(BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    poll(condition, done, 250);
    return done.future();
  }

  private void poll(BooleanSupplier condition, Promise<Void> done, int triesLeft) {
    if (condition.getAsBoolean()) {
      done.complete();
    } else if (triesLeft == 0) {
      done.fail(new AssertionError("still open: inFlight=" + proxy.inFlight()
          + " upstreamConnections=" + proxy.openUpstreamConnections()
          + " clientConnections=" + proxy.openClientConnections()));
    } else {
      vertx.setTimer(20, id -> poll(condition, done, triesLeft - 1));
    }
  }

  /** Blocks the test thread, never an event loop, until {@code future} completes. */
  private static <T> T await(Future<T> future) throws Exception {
    assertThat(Context.isOnEventLoopThread()).isFalse();
    try {
      return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw new AssertionError(e.getCause());
    }
  }

  private static Buffer repeat(Buffer part, int times) {
    Buffer whole = Buffer.buffer(part.length() * times);
    for (int i = 0; i < times; i++) {
      whole.appendBuffer(part);
    }
    return whole;
  }

  private static Buffer pattern(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ((i * 31 + 7) % 251);
    }
    return Buffer.buffer(bytes);
  }
}
