package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * How a streamed body ends when the client closes the connection, on a real Vert.x server and a
 * raw socket client: a client that has every byte may close before the origin's end-of-body
 * signal arrives — that body was delivered whole; one that closes earlier is gone mid-body.
 */
class BodyStreamerTest {
  static final int SIZE = 64 * 1024;
  /** More than loopback socket buffers hold, so a client that stops reading leaves bytes unsent. */
  static final int LARGE = 32 * 1024 * 1024;
  Vertx vertx;
  HttpServer server;
  /** The origin: sends every byte at once, and its end-of-body only when told. */
  HeldPublisher origin;
  CompletableFuture<Throwable> outcome;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    origin = new HeldPublisher(new byte[SIZE]);
    outcome = new CompletableFuture<>();
    server = vertx.createHttpServer()
        .requestHandler(req -> {
          int size = origin.bytes.length;
          req.response().putHeader("Content-Length", Integer.toString(size));
          BodyStreamer.pipe(vertx.getOrCreateContext(), req.response(), origin, size, Duration.ofSeconds(30))
              .onComplete(ar -> outcome.complete(ar.succeeded() ? null : ar.cause()));
        })
        .listen(0, "127.0.0.1")
        .await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Sends a GET, reads the head and {@code bodyBytes} of the body, then closes. */
  void readThenClose(int bodyBytes) throws Exception {
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.actualPort()));
      OutputStream out = socket.getOutputStream();
      out.write("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.read());
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 200");
      assertThat(in.readNBytes(bodyBytes)).hasSize(bodyBytes);
    }
  }

  @Test
  void clientClosingAfterTheLastByte_beforeTheOriginsEnd_isAWholeBody() throws Exception {
    readThenClose(SIZE);

    Throwable failure = outcome.get(30, TimeUnit.SECONDS);
    assertThat(failure).as("delivered whole").isNull();
    assertThat(origin.cancelled).as("the origin's stream is left to end by itself").isFalse();
    origin.complete();
  }

  @Test
  void clientClosingMidBody_isGone() throws Exception {
    origin = new HeldPublisher(new byte[LARGE]);
    readThenClose(SIZE);

    Throwable failure = outcome.get(30, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(BodyStreamer.ClientGoneException.class);
    assertThat(origin.cancelled).isTrue();
  }

  /** Emits its bytes as soon as they are asked for; completes only when told. */
  static final class HeldPublisher implements Publisher<ByteBuffer> {
    final byte[] bytes;
    volatile Subscriber<? super ByteBuffer> subscriber;
    volatile boolean cancelled;
    boolean sent;

    HeldPublisher(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
      subscriber = s;
      s.onSubscribe(new Subscription() {
        @Override
        public synchronized void request(long n) {
          if (!sent && n > 0 && !cancelled) {
            sent = true;
            s.onNext(ByteBuffer.wrap(bytes));
          }
        }

        @Override
        public void cancel() {
          cancelled = true;
        }
      });
    }

    void complete() {
      subscriber.onComplete();
    }
  }
}
