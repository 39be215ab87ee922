package io.storageconnect.gateway.support;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A loopback HTTP/1.1 reverse proxy, placed between an S3 client and an S3 server, that
 * injects faults on the wire: delays, silence, resets, truncated or stalled bodies, S3
 * error answers and rewritten response headers.
 *
 * <p>Requests are forwarded as received: method, the raw request-target (never decoded
 * or re-encoded), every end-to-end header including {@code Host} and {@code Authorization}
 * (SigV4 signs them), and the body. Responses come back the same way unless a rule's
 * {@link Fault} says otherwise. Only hop-by-hop headers (RFC 9110 §7.6.1: {@code
 * Connection}, {@code Keep-Alive}, {@code Transfer-Encoding}, {@code TE}, {@code Trailer},
 * {@code Upgrade}, {@code Proxy-Connection} and any named in {@code Connection}) are not
 * copied, because each side of the proxy is its own connection and frames its own body.
 *
 * <p>Bodies never pile up in memory; each direction is paced by its slower side:
 * <pre>
 *   client ──► server request ──pipe: pause/resume──► upstream request ──► target
 *   client ◄── server response ◄─relay: writeQueueFull → pause, drain → resume── upstream response ◄── target
 * </pre>
 *
 * <p>Threads: each exchange (its request, timers and upstream callbacks) runs on the event
 * loop of the client connection that carries it, and nothing in it blocks. The rules and
 * counters may be read and changed from any thread, e.g. the test thread, while requests
 * are in flight.
 *
 * <p>Upstream connections are not kept alive: each forwarded request opens its own
 * connection to the target, which closes when that exchange is over. So {@link
 * #openUpstreamConnections()} falls back to 0 whenever nothing is being forwarded, and
 * anything else is a leak in the proxy or a request still running.
 *
 * <p>Limits: plain HTTP/1.1 only (no TLS, no HTTP/2). A target that answers an upload
 * before reading its body and then closes (as S3 may on an early error) usually reaches
 * the client as the proxy's own 502, not as that answer: Netty closes a connection whose
 * write failed before reading what is queued on it. Downloads, which is what the faults
 * are for, are not affected.
 */
public final class FaultProxy implements AutoCloseable {

  /** RFC 9110 §7.6.1, plus the de-facto {@code Proxy-Connection}; lower-case. */
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
      "upgrade");

  /** Generous limits: presigned URIs with session tokens and S3 metadata are long. */
  private static final int MAX_INITIAL_LINE = 64 * 1024;
  private static final int MAX_HEADER_SIZE = 64 * 1024;
  /** A slow body buffers at most this far ahead of what it has sent. */
  private static final int TRICKLE_HIGH_WATER = 64 * 1024;
  /** Holding a refused port: how often to try binding it, and how many times at most. */
  private static final long HOLD_RETRY_MS = 5;
  private static final int HOLD_ATTEMPTS = 400;

  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private volatile HttpServer server;
  private boolean refusing;
  /** While refusing: a socket bound to the port, never listening, so no one else takes it. */
  private PortReservation portHolder;
  private final HttpClientAgent client;

  private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();
  private final AtomicInteger requestCount = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger openUpstreamConnections = new AtomicInteger();
  private final AtomicInteger openClientConnections = new AtomicInteger();
  private final AtomicLong errorIds = new AtomicLong();
  private final AtomicLong responseBodyBytes = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile int port = -1;

  private FaultProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = newServer(0);
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions()
            .setKeepAlive(false)
            .setMaxInitialLineLength(MAX_INITIAL_LINE)
            .setMaxHeaderSize(MAX_HEADER_SIZE)
            .setDecompressionSupported(false))
        // The default of 5 connections would queue a test's concurrent requests here,
        // hiding what the client under test does with its own pool.
        .with(new PoolOptions().setHttp1MaxSize(1024))
        .withConnectHandler(connection -> {
          openUpstreamConnections.incrementAndGet();
          connection.closeHandler(v -> openUpstreamConnections.decrementAndGet());
        })
        .build();
  }

  private HttpServer newServer(int port) {
    return vertx.createHttpServer(new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(port)
            .setMaxInitialLineLength(MAX_INITIAL_LINE)
            .setMaxHeaderSize(MAX_HEADER_SIZE)
            // 100-continue is relayed from the target, never invented here.
            .setHandle100ContinueAutomatically(false)
            .setCompressionSupported(false)
            .setDecompressionSupported(false))
        .connectionHandler(connection -> {
          openClientConnections.incrementAndGet();
          connection.closeHandler(v -> openClientConnections.decrementAndGet());
        })
        .requestHandler(this::handle);
  }

  /**
   * Starts a proxy on an ephemeral port of 127.0.0.1 forwarding to {@code targetHost:
   * targetPort}; the future completes once it listens.
   */
  public static Future<FaultProxy> start(Vertx vertx, String targetHost, int targetPort) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(targetHost, "targetHost");
    if (targetHost.isBlank()) {
      throw new IllegalArgumentException("targetHost: blank (expected: a host name or address)");
    }
    if (targetPort < 1 || targetPort > 65535) {
      throw new IllegalArgumentException("targetPort: " + targetPort + " (expected: 1-65535)");
    }
    FaultProxy proxy = new FaultProxy(vertx, targetHost, targetPort);
    return proxy.server.listen()
        .map(listening -> {
          proxy.port = listening.actualPort();
          return proxy;
        })
        .onFailure(err -> proxy.client.close());
  }

  /** The loopback port the proxy listens on. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, to be used as the S3 client's endpoint override. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Stops listening and closes every client connection: from now on, connecting to {@link
   * #port()} is refused (TCP RST on SYN), as a bucket endpoint that is down. The rules stay.
   *
   * <p>The port stays taken meanwhile by a socket bound to it that never listens: SYNs
   * still get a reset, but the kernel no longer hands the port out to a server binding port
   * 0 or to an outgoing connection (one whose destination is this port would connect to
   * itself). Either once made this proxy "answer" while down. The holder sets {@code
   * SO_REUSEADDR} only so that connections of the closed listener lingering in TIME_WAIT on
   * the port do not stop it; automatic port choice ignores that flag. Vert.x completes the
   * close a moment before the kernel lets the listening socket go, so the holder tries again
   * every {@value #HOLD_RETRY_MS} ms for up to {@value #HOLD_ATTEMPTS} attempts (a few
   * milliseconds in practice); the returned future completes once the port is held.
   */
  public synchronized Future<Void> refuseConnections() {
    if (refusing) {
      return Future.succeededFuture();
    }
    refusing = true;
    Promise<Void> held = Promise.promise();
    server.close().onComplete(closed -> holdPort(1, held));
    return held.future();
  }

  private void holdPort(int attempt, Promise<Void> held) {
    IOException failure;
    synchronized (this) {
      if (!refusing || closed.get()) {
        held.tryComplete();
        return;
      }
      try {
        portHolder = PortReservation.hold(port);
        held.tryComplete();
        return;
      } catch (IOException e) {
        failure = e;
      }
    }
    if (attempt >= HOLD_ATTEMPTS) {
      held.tryFail(new UncheckedIOException(
          "could not hold port " + port + " while refusing, " + attempt + " attempts", failure));
    } else {
      vertx.setTimer(HOLD_RETRY_MS, id -> holdPort(attempt + 1, held));
    }
  }

  private synchronized void releasePort() {
    if (portHolder != null) {
      try {
        portHolder.close();
      } catch (IOException ignored) {
        // A bound, unconnected socket has nothing to flush: the port is free either way.
      }
      portHolder = null;
    }
  }

  /**
   * Listens on the same port again after {@link #refuseConnections()}; does nothing while the
   * proxy listens (a second server on the port would share it, and survive the next refusal).
   */
  public synchronized Future<Void> acceptConnections() {
    if (!refusing) {
      return Future.succeededFuture();
    }
    refusing = false;
    releasePort();
    HttpServer next = newServer(port);
    server = next;
    return next.listen().mapEmpty();
  }

  /**
   * Adds a rule. Rules are tried in the order they were added and the first whose
   * predicate matches decides; a rule applies to every matching request until {@link
   * #clearRules()}. Requests that match no rule are forwarded unchanged. A predicate runs
   * on the proxy's event loop: it must be quick and must not block.
   */
  public FaultProxy when(Predicate<Request> match, Fault fault) {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(fault, "fault");
    rules.add(new Rule(match, fault));
    return this;
  }

  /** Removes every rule: from the next request on, everything is forwarded unchanged. */
  public void clearRules() {
    rules.clear();
  }

  /** Requests received since start or the last {@link #resetCounters()}, faulted or not. */
  public int requestCount() {
    return requestCount.get();
  }

  /**
   * TCP connections from the proxy to the target that are open now. Each forwarded
   * request has its own (no keep-alive upstream), so this is also the number of exchanges
   * with the target in progress, and is 0 when the proxy is idle.
   */
  public int openUpstreamConnections() {
    return openUpstreamConnections.get();
  }

  /**
   * TCP connections from clients to the proxy that are open now, idle keep-alive ones
   * included: bounded by the client's pool size, not 0, while a pooling client is alive.
   */
  public int openClientConnections() {
    return openClientConnections.get();
  }

  /** Response body bytes relayed to clients since start (for backpressure checks). */
  public long responseBodyBytes() {
    return responseBodyBytes.get();
  }

  /**
   * Requests received whose exchange is not over: over means the response was sent
   * completely, or the client's connection closed (by the client, or by a fault). A
   * blackholed or stalled request therefore stays in flight until its client gives up.
   */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Zeroes {@link #requestCount()}. The gauges ({@link #inFlight()} and the open
   * connections) describe what is open now and are not reset.
   */
  public void resetCounters() {
    requestCount.set(0);
  }

  /**
   * Stops listening, closes the client connections and the upstream client; returns at
   * once and may be called more than once.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      releasePort();
      server.close();
      client.close();
    }
  }

  private void handle(HttpServerRequest req) {
    requestCount.incrementAndGet();
    inFlight.incrementAndGet();
    Exchange exchange = new Exchange(req);
    Fault fault;
    try {
      fault = match(Request.of(req));
    } catch (RuntimeException e) {
      // A throwing predicate is a bug in the test: make it loud, on the wire too.
      req.response().setStatusCode(500)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("FaultProxy: a rule's predicate threw " + e);
      return;
    }
    exchange.start(fault);
  }

  private Fault match(Request request) {
    for (Rule rule : rules) {
      if (rule.match().test(request)) {
        return rule.fault();
      }
    }
    return null;
  }

  /**
   * Closes the client's connection: with a FIN after everything written so far, or with
   * an RST when {@code rst} is set.
   *
   * <p>An RST needs {@code SO_LINGER=0} on the accepted socket, which Vert.x's public API
   * cannot set per connection; it is set on the Netty channel behind Vert.x's internal
   * {@link ConnectionBase}. Should that class change, this falls back to a FIN, which a
   * client also sees as a truncated transfer when a body is incomplete.
   */
  private static void closeConnection(HttpServerRequest req, boolean rst) {
    HttpConnection connection = req.connection();
    if (rst && connection instanceof ConnectionBase base) {
      Channel channel = base.channel();
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    }
    connection.close();
  }

  private static boolean isHopByHop(String name, MultiMap headers) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (HOP_BY_HOP.contains(lower)) {
      return true;
    }
    for (String connection : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String token : connection.split(",")) {
        if (token.trim().equalsIgnoreCase(lower)) {
          return true;
        }
      }
    }
    return false;
  }

  private static MultiMap endToEnd(MultiMap headers) {
    MultiMap copy = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, String> header : headers) {
      if (!isHopByHop(header.getKey(), headers)) {
        copy.add(header.getKey(), header.getValue());
      }
    }
    return copy;
  }

  private static String xmlEscape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** How a body fault ends the response once its byte budget is spent. */
  private enum Cut { CLOSE, RESET, STALL }

  /**
   * One request's way through the proxy. Confined to its connection's event loop: every
   * field is read and written there only, hence no synchronisation.
   */
  private final class Exchange {
    private final HttpServerRequest req;
    private final HttpServerResponse resp;
    private final Context context;
    private boolean finished;      // counted out of inFlight
    private boolean clientGone;    // the client's connection closed or its write failed
    private boolean bodyDone;      // the response body is complete, cut or abandoned
    private HttpClientRequest upstream;
    private HttpClientResponse upstreamResponse;
    private boolean upstreamDone;  // the target's answer is complete, or was reset by us
    private long timerId = -1;
    // slowBody state
    private Buffer pending = Buffer.buffer();
    private boolean upstreamEnded;

    Exchange(HttpServerRequest req) {
      this.req = req;
      this.resp = req.response();
      this.context = vertx.getOrCreateContext();
      resp.endHandler(v -> finish());
      resp.closeHandler(v -> clientGone());
      resp.exceptionHandler(err -> clientGone());
    }

    void start(Fault fault) {
      if (fault == null || fault instanceof Fault.AddResponseHeaders
          || fault instanceof Fault.TruncateAfter || fault instanceof Fault.ResetAfter
          || fault instanceof Fault.StallAfter || fault instanceof Fault.SlowBody) {
        req.pause();
        forward(fault);
      } else if (fault instanceof Fault.Delay delay) {
        // Paused so that the body waits in the socket, not in memory, during the delay.
        req.pause();
        long millis = delay.duration().toMillis();
        if (millis < 1) {
          forward(null);
        } else {
          timerId = vertx.setTimer(millis, id -> {
            timerId = -1;
            forward(null);
          });
        }
      } else if (fault instanceof Fault.Blackhole) {
        // Nothing is ever answered; the body, if any, is read and dropped.
      } else if (fault instanceof Fault.Reset) {
        closeConnection(req, true);
      } else if (fault instanceof Fault.S3Error error) {
        answerS3Error(error);
      } else {
        throw new AssertionError("unhandled fault " + fault);
      }
    }

    private void forward(Fault fault) {
      if (clientGone) {
        return;
      }
      RequestOptions options = new RequestOptions()
          .setMethod(req.method())
          .setHost(targetHost)
          .setPort(targetPort)
          .setURI(req.uri())
          // Host is among these and Vert.x keeps a Host header it is given.
          .setHeaders(endToEnd(req.headers()));
      client.request(options).onComplete(connected -> {
        if (connected.failed()) {
          upstreamFailed(connected.cause());
          return;
        }
        HttpClientRequest creq = connected.result();
        if (clientGone) {
          creq.reset();
          return;
        }
        upstream = creq;
        // Failures also fail creq.response() or the response stream, handled there.
        creq.exceptionHandler(err -> { });
        creq.continueHandler(v -> {
          if (!clientGone) {
            resp.writeContinue();
          }
        });
        if (hasBody()) {
          if (!req.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            creq.setChunked(true);
          }
          // Now, not with the first body bytes: a client sending "Expect: 100-continue"
          // holds its body until the target, which must see the head first, says 100.
          creq.sendHead();
          // endOnFailure(false): a client gone mid-upload must not look like a complete body
          // to the target (clientGone() resets the upstream request instead). When it is the
          // target that stopped reading, creq.response() reports what happened (see Limits
          // in the class comment) and the rest of the body is dropped, so that the client's
          // connection is not left paused.
          req.pipe().endOnFailure(false).to(creq).onFailure(err -> {
            if (!clientGone) {
              req.handler(ignored -> { });
              req.resume();
            }
          });
        } else {
          req.resume();
          creq.end();
        }
        creq.response().onComplete(answered -> {
          if (answered.failed()) {
            upstreamFailed(answered.cause());
          } else {
            respond(answered.result(), fault);
          }
        });
      });
    }

    private boolean hasBody() {
      MultiMap headers = req.headers();
      String length = headers.get(HttpHeaders.CONTENT_LENGTH);
      return (length != null && !length.trim().equals("0"))
          || headers.contains(HttpHeaders.TRANSFER_ENCODING);
    }

    private void respond(HttpClientResponse cresp, Fault fault) {
      upstreamResponse = cresp;
      if (clientGone) {
        abandonUpstream();
        return;
      }
      resp.setStatusCode(cresp.statusCode());
      resp.setStatusMessage(cresp.statusMessage());
      resp.headers().addAll(endToEnd(cresp.headers()));
      int status = cresp.statusCode();
      boolean bodiless = req.method() == HttpMethod.HEAD || status == 204 || status == 304
          || (status >= 100 && status < 200);
      if (!bodiless && !resp.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
        // The target chunked its body (or delimited it by closing): re-frame it as chunks.
        resp.setChunked(true);
      }
      if (fault instanceof Fault.AddResponseHeaders add) {
        add.headers().forEach(resp.headers()::set);
      }
      if (fault instanceof Fault.SlowBody slow) {
        trickle(cresp, slow);
      } else if (fault instanceof Fault.TruncateAfter t) {
        relay(cresp, t.bodyBytes(), Cut.CLOSE);
      } else if (fault instanceof Fault.ResetAfter r) {
        relay(cresp, r.bodyBytes(), Cut.RESET);
      } else if (fault instanceof Fault.StallAfter s) {
        relay(cresp, s.bodyBytes(), Cut.STALL);
      } else {
        relay(cresp, Long.MAX_VALUE, Cut.STALL); // no body is that long: never cut
      }
    }

    /**
     * Streams the target's body to the client with backpressure. When the body is longer
     * than {@code budget}, exactly {@code budget} bytes are written and then {@code cut}
     * applies; a body not longer than the budget completes normally.
     */
    private void relay(HttpClientResponse cresp, long budget, Cut cut) {
      long[] sent = {0};
      cresp.exceptionHandler(err -> upstreamBrokeMidBody());
      cresp.endHandler(v -> {
        upstreamDone = true;
        if (!bodyDone && !clientGone) {
          bodyDone = true;
          resp.end();
        }
      });
      cresp.handler(chunk -> {
        if (bodyDone || clientGone || resp.closed()) {
          return;
        }
        long room = budget - sent[0];
        if (chunk.length() <= room) {
          sent[0] += chunk.length();
          responseBodyBytes.addAndGet(chunk.length());
          resp.write(chunk);
          if (resp.writeQueueFull()) {
            cresp.pause();
            resp.drainHandler(v -> cresp.resume());
          }
          return;
        }
        bodyDone = true;
        abandonUpstream();
        Buffer head = chunk.getBuffer(0, (int) room);
        Future<Void> written = head.length() > 0 ? resp.write(head)
            : resp.headWritten() ? Future.succeededFuture() : resp.writeHead();
        switch (cut) {
          // After the write completed, so that a FIN follows exactly `budget` bytes.
          case CLOSE -> written.onComplete(ar -> closeConnection(req, false));
          case RESET -> written.onComplete(ar -> closeConnection(req, true));
          case STALL -> { } // headers and budget sent; the connection stays open, silent
          default -> throw new AssertionError(cut);
        }
      });
    }

    /** Forwards the body {@code bytesPerChunk} bytes at a time, one write per tick. */
    private void trickle(HttpClientResponse cresp, Fault.SlowBody slow) {
      cresp.exceptionHandler(err -> upstreamBrokeMidBody());
      cresp.endHandler(v -> {
        upstreamDone = true;
        upstreamEnded = true;
      });
      cresp.handler(chunk -> {
        pending.appendBuffer(chunk);
        if (pending.length() >= TRICKLE_HIGH_WATER) {
          cresp.pause();
        }
      });
      resp.writeHead();
      scheduleTick(cresp, slow);
    }

    private void scheduleTick(HttpClientResponse cresp, Fault.SlowBody slow) {
      timerId = vertx.setTimer(Math.max(1, slow.every().toMillis()), id -> {
        timerId = -1;
        tick(cresp, slow);
      });
    }

    private void tick(HttpClientResponse cresp, Fault.SlowBody slow) {
      if (bodyDone || clientGone || resp.closed()) {
        return;
      }
      if (resp.writeQueueFull()) {
        resp.drainHandler(v -> scheduleTick(cresp, slow));
        return;
      }
      int n = Math.min(slow.bytesPerChunk(), pending.length());
      if (n > 0) {
        resp.write(pending.getBuffer(0, n));
        pending = pending.getBuffer(n, pending.length());
      }
      if (upstreamEnded && pending.length() == 0) {
        bodyDone = true;
        resp.end();
        return;
      }
      if (!upstreamEnded && pending.length() < TRICKLE_HIGH_WATER) {
        cresp.resume();
      }
      scheduleTick(cresp, slow);
    }

    private void answerS3Error(Fault.S3Error error) {
      String requestId = String.format(Locale.ROOT, "FAULTPROXY%06X", errorIds.incrementAndGet());
      resp.setStatusCode(error.status())
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/xml")
          .putHeader("x-amz-request-id", requestId)
          .putHeader("x-amz-id-2", "faultproxy/" + requestId);
      error.extraHeaders().forEach(resp::putHeader);
      if (req.method() == HttpMethod.HEAD) {
        // S3 answers a failed HEAD with status and headers only.
        resp.end();
        return;
      }
      resp.end("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
          + "<Code>" + xmlEscape(error.code()) + "</Code>"
          + "<Message>" + xmlEscape(error.message()) + "</Message>"
          + "<RequestId>" + requestId + "</RequestId>"
          + "<HostId>faultproxy/" + requestId + "</HostId>"
          + "</Error>");
    }

    private void upstreamFailed(Throwable cause) {
      upstreamDone = true;
      if (clientGone || bodyDone || resp.ended()) {
        return;
      }
      if (resp.headWritten()) {
        bodyDone = true;
        closeConnection(req, false);
        return;
      }
      bodyDone = true;
      resp.setStatusCode(502)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("FaultProxy: upstream " + targetHost + ":" + targetPort + " failed: " + cause);
    }

    /** The target broke off mid-body: the client must see a truncated transfer too. */
    private void upstreamBrokeMidBody() {
      upstreamDone = true;
      if (bodyDone || clientGone) {
        return;
      }
      bodyDone = true;
      closeConnection(req, false);
    }

    /**
     * Drops the target's exchange; on HTTP/1.x a reset closes that connection.
     *
     * <p>A response paused for backpressure is first resumed, its rest discarded, and reset on
     * a later task of the event loop. In Vert.x 5.0.7, once a paused response's queue is full
     * the connection itself pauses ({@code VertxConnection#doPause}) and keeps the decoder's
     * messages, pooled Netty buffers not yet copied, in its pending queue; only a resume hands
     * them on, and releases them. Closing the connection (which a reset does) drops them
     * unreleased ({@code VertxConnection#handleClosed} does not empty that queue), and a reset
     * alone never resumes. The resume's drain and the reset run on the exchange's event loop,
     * which is also the upstream connection's, in that order, so nothing is left pending when
     * the connection closes. (A target that closes its connection while the response is paused
     * still triggers that Vert.x behaviour; no fault of this proxy does that.)
     */
    private void abandonUpstream() {
      if (upstream == null || upstreamDone) {
        return;
      }
      upstreamDone = true;
      HttpClientRequest creq = upstream;
      HttpClientResponse cresp = upstreamResponse;
      if (cresp == null) {
        creq.reset(); // no answer yet, so nothing of it is queued
        return;
      }
      cresp.handler(ignored -> { });
      cresp.endHandler(ignored -> { });
      cresp.resume();
      context.runOnContext(v -> creq.reset());
    }

    private void clientGone() {
      if (clientGone) {
        return;
      }
      clientGone = true;
      if (timerId != -1) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
      abandonUpstream();
      finish();
    }

    private void finish() {
      if (!finished) {
        finished = true;
        inFlight.decrementAndGet();
      }
    }
  }

  private record Rule(Predicate<Request> match, Fault fault) {
  }

  /**
   * What a rule's predicate sees of a request: its method, raw request-target, raw path
   * (the request-target up to {@code ?}, still percent-encoded) and a copy of its headers.
   */
  public record Request(String method, String uri, String path, MultiMap headers) {

    public Request {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(headers, "headers");
    }

    static Request of(HttpServerRequest req) {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
      return new Request(req.method().name(), req.uri(), rawPath(req.uri()), headers);
    }

    static String rawPath(String uri) {
      String path = uri;
      int scheme = path.indexOf("://");
      if (scheme >= 0 && scheme < path.indexOf('/')) {
        // absolute-form (RFC 9112 §3.2.2): drop scheme and authority.
        int slash = path.indexOf('/', scheme + 3);
        path = slash < 0 ? "/" : path.substring(slash);
      }
      int query = path.indexOf('?');
      return query < 0 ? path : path.substring(0, query);
    }

    public boolean isGet() {
      return "GET".equals(method);
    }

    public boolean isHead() {
      return "HEAD".equals(method);
    }

    /** Compares with the raw path: pass the suffix percent-encoded, as it is on the wire. */
    public boolean pathEndsWith(String rawSuffix) {
      return path.endsWith(rawSuffix);
    }
  }

  /** What the proxy does to a matching request; values are immutable and reusable. */
  public sealed interface Fault {

    /** Waits {@code duration} (a timer, nothing sleeps), then forwards normally. */
    static Fault delay(Duration duration) {
      return new Delay(duration);
    }

    /** Accepts the request and never answers; the connection stays open. */
    static Fault blackhole() {
      return new Blackhole();
    }

    /** Resets the client's connection (RST) at once, without a response. */
    static Fault reset() {
      return new Reset();
    }

    /**
     * Forwards status and headers, the upstream {@code Content-Length} included, then
     * {@code bodyBytes} bytes of body, then closes the connection with a FIN.
     */
    static Fault truncateAfter(long bodyBytes) {
      return new TruncateAfter(bodyBytes);
    }

    /** As {@link #truncateAfter(long)}, but resets the connection (RST). */
    static Fault resetAfter(long bodyBytes) {
      return new ResetAfter(bodyBytes);
    }

    /** Forwards status, headers and {@code bodyBytes} bytes of body, then goes silent. */
    static Fault stallAfter(long bodyBytes) {
      return new StallAfter(bodyBytes);
    }

    /** Answers an S3 error without contacting the target (no body for HEAD, as S3). */
    static Fault s3Error(int status, String code, String message) {
      return new S3Error(status, code, message, Map.of());
    }

    /** As {@link #s3Error(int, String, String)}, with extra response headers. */
    static Fault s3Error(int status, String code, String message, Map<String, String> extraHeaders) {
      return new S3Error(status, code, message, extraHeaders);
    }

    /** Forwards, then sets these response headers, replacing the target's values. */
    static Fault addResponseHeaders(Map<String, String> headers) {
      return new AddResponseHeaders(headers);
    }

    /** Forwards, sending the body {@code bytesPerChunk} bytes per {@code every}. */
    static Fault slowBody(int bytesPerChunk, Duration every) {
      return new SlowBody(bytesPerChunk, every);
    }

    record Delay(Duration duration) implements Fault {
      public Delay {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
          throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
        }
      }
    }

    record Blackhole() implements Fault {
    }

    record Reset() implements Fault {
    }

    record TruncateAfter(long bodyBytes) implements Fault {
      public TruncateAfter {
        requireNonNegative(bodyBytes);
      }
    }

    record ResetAfter(long bodyBytes) implements Fault {
      public ResetAfter {
        requireNonNegative(bodyBytes);
      }
    }

    record StallAfter(long bodyBytes) implements Fault {
      public StallAfter {
        requireNonNegative(bodyBytes);
      }
    }

    record S3Error(int status, String code, String message, Map<String, String> extraHeaders)
        implements Fault {
      public S3Error {
        if (status < 200 || status > 599) {
          throw new IllegalArgumentException("status: " + status + " (expected: 200-599)");
        }
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        extraHeaders = Map.copyOf(extraHeaders);
      }
    }

    record AddResponseHeaders(Map<String, String> headers) implements Fault {
      public AddResponseHeaders {
        headers = Map.copyOf(headers);
      }
    }

    record SlowBody(int bytesPerChunk, Duration every) implements Fault {
      public SlowBody {
        if (bytesPerChunk < 1) {
          throw new IllegalArgumentException("bytesPerChunk: " + bytesPerChunk + " (expected: >= 1)");
        }
        Objects.requireNonNull(every, "every");
        if (every.toMillis() < 1) {
          throw new IllegalArgumentException("every: " + every + " (expected: >= 1ms)");
        }
      }
    }

    private static void requireNonNegative(long bodyBytes) {
      if (bodyBytes < 0) {
        throw new IllegalArgumentException("bodyBytes: " + bodyBytes + " (expected: >= 0)");
      }
    }
  }
}
