package io.storageconnect.gateway.delivery;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Copies one upstream body into an HTTP response with backpressure, without ending the response.
 *
 * <pre>
 *   SDK event loop                 Vert.x context (the request's event loop)
 *   onNext(buf) --queue--> drain: write(buf) ... while !writeQueueFull() and fewer than
 *                                  MAX_UNWRITTEN_BYTES await the socket: request(more)
 *                                  otherwise -> wait for drainHandler / a write's completion
 *   response closed          ---> cancel(): the SDK releases the pooled upstream connection
 * </pre>
 *
 * Signals arrive on the SDK's threads; every one is handed to the Vert.x context, several chunks
 * per hop. Demand is bounded ({@value #BATCH} chunks of about 8 KiB), so memory stays flat
 * however slow the client; at most {@value #MAX_UNWRITTEN_BYTES} bytes plus one demand batch wait
 * for the socket. The returned future completes once the last byte is on the socket, and fails if the upstream fails, sends more or fewer
 * bytes than announced, goes silent for longer than the idle timeout while bytes are wanted, or
 * the client goes away; the caller then resets the connection, because a truncated body must
 * never look complete.
 *
 * <p>The idle watchdog exists because the SDK's publisher does not always signal a connection the
 * origin closed mid-body (no error, no completion); without it such a response would hang until
 * the client gave up.
 */
public final class BodyStreamer implements Subscriber<ByteBuffer> {
  static final int BATCH = 16;
  /**
   * Most bytes handed to the response but not yet written to the socket. Vert.x's own
   * {@code writeQueueFull()} counts queued messages, not bytes (about 800 KiB per stream were seen
   * pending behind a slow client); this bound keeps a stream's memory at a few hundred KiB
   * whatever the client's speed.
   */
  static final long MAX_UNWRITTEN_BYTES = 256 * 1024;
  /**
   * Longest a client may take no bytes at all while some wait for it (a zero TCP or HTTP/2 flow
   * control window). A slow client still takes bytes and is never cut; a stalled one would
   * otherwise hold a pooled origin connection for as long as it liked.
   */
  static final long CLIENT_STALL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  private final Context context;
  private final HttpServerResponse response;
  private final long expectedBytes;
  private final Promise<Void> done;
  private final long idleTimeoutNanos;
  private volatile long lastUpstreamSignal = System.nanoTime();
  private long watchdog = -1;
  private final ConcurrentLinkedQueue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile boolean upstreamDone;
  private volatile Throwable upstreamError;

  // Context-confined state.
  private Subscription subscription;
  private long written;
  private int outstanding;
  private long unwritten;
  private long lastWriteDone = System.nanoTime();
  /** Every byte arrived and was handed to the response; waiting for the socket to take them. */
  private boolean complete;
  private boolean finished;

  private BodyStreamer(Context context, HttpServerResponse response, long expectedBytes, Duration idleTimeout) {
    this.context = context;
    this.response = response;
    this.expectedBytes = expectedBytes;
    this.done = Promise.promise();
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  /**
   * Streams {@code body} into {@code response}. Must be called on the response's context. The
   * future completes on that context once exactly {@code expectedBytes} were written.
   */
  public static Future<Void> pipe(
      Context context, HttpServerResponse response, Publisher<ByteBuffer> body, long expectedBytes, Duration idleTimeout) {
    return start(context, response, body, expectedBytes, idleTimeout).done();
  }

  /**
   * As {@link #pipe}, returning the streamer: after a failure, {@link #written()} tells where the
   * body was cut, so that the rest can be asked for.
   */
  public static BodyStreamer start(
      Context context, HttpServerResponse response, Publisher<ByteBuffer> body, long expectedBytes, Duration idleTimeout) {
    BodyStreamer streamer = new BodyStreamer(context, response, expectedBytes, idleTimeout);
    response.closeHandler(v -> streamer.clientClosed());
    long period = Math.max(50, idleTimeout.toMillis() / 4);
    streamer.watchdog = context.owner().setPeriodic(period, id -> streamer.checkIdle());
    body.subscribe(streamer);
    return streamer;
  }

  /** Completes, on the response's context, as {@link #pipe} describes. */
  public Future<Void> done() {
    return done.future();
  }

  /** Bytes of this body handed to the response so far. Read it on the response's context. */
  public long written() {
    return written;
  }

  /** The origin sent nothing for longer than the idle timeout while bytes were wanted. */
  public static final class UpstreamIdleException extends RuntimeException {
    UpstreamIdleException() {
      super("origin idle mid-body", null, false, false);
    }
  }

  private void checkIdle() {
    // A full write queue with nothing of this body in it is an earlier body's (the part before a
    // resumed cut): the client is just as stalled.
    if (!finished && (unwritten > 0 || response.writeQueueFull()) && System.nanoTime() - lastWriteDone > CLIENT_STALL_NANOS) {
      abort(new ClientGoneException());
      return;
    }
    // Idle counts only while the client is keeping up: a slow client is backpressure, not an
    // origin fault.
    if (!finished
        && (outstanding > 0 || subscription == null)
        && !response.writeQueueFull()
        && unwritten < MAX_UNWRITTEN_BYTES
        && System.nanoTime() - lastUpstreamSignal > idleTimeoutNanos) {
      abort(new UpstreamIdleException());
    }
  }

  /** The client closed the connection before the body was complete. */
  public static final class ClientGoneException extends RuntimeException {
    public ClientGoneException() {
      super("client closed the connection", null, false, false);
    }
  }

  /** The upstream ended with fewer or more bytes than it announced. */
  public static final class LengthMismatchException extends RuntimeException {
    LengthMismatchException(long expected, long actual) {
      super("upstream body length " + actual + ", expected " + expected, null, false, false);
    }
  }

  @Override
  public void onSubscribe(Subscription s) {
    lastUpstreamSignal = System.nanoTime();
    context.runOnContext(
        v -> {
          subscription = s;
          if (finished) {
            s.cancel();
          } else {
            refill();
          }
        });
  }

  @Override
  public void onNext(ByteBuffer buffer) {
    lastUpstreamSignal = System.nanoTime();
    queue.add(buffer);
    scheduleDrain();
  }

  @Override
  public void onError(Throwable t) {
    upstreamError = t;
    upstreamDone = true;
    scheduleDrain();
  }

  @Override
  public void onComplete() {
    upstreamDone = true;
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    drainScheduled.set(false);
    if (finished) {
      queue.clear();
      return;
    }
    // Everything that arrived since the last hop goes out as one write (one flush, one syscall):
    // the SDK delivers ~8 KiB chunks, and a write per chunk costs more than the copy it avoids.
    ByteBuffer buffer;
    java.util.ArrayList<ByteBuffer> batch = null;
    while ((buffer = queue.poll()) != null) {
      outstanding--;
      int n = buffer.remaining();
      if (n == 0) {
        continue;
      }
      written += n;
      if (written > expectedBytes) {
        abort(new LengthMismatchException(expectedBytes, written));
        return;
      }
      if (batch == null) {
        batch = new java.util.ArrayList<>(BATCH);
      }
      batch.add(buffer);
    }
    if (batch != null) {
      // The SDK hands over a private copy per chunk: wrap them, do not copy again.
      io.netty.buffer.ByteBuf out = Unpooled.wrappedBuffer(batch.toArray(ByteBuffer[]::new));
      long size = out.readableBytes();
      if (unwritten == 0) {
        lastWriteDone = System.nanoTime(); // the stall clock starts with the first waiting byte
      }
      unwritten += size;
      response
          .write(BufferInternal.buffer(out))
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  abort(new ClientGoneException());
                  return;
                }
                unwritten -= size;
                lastWriteDone = System.nanoTime();
                if (complete && unwritten == 0) {
                  finish(null); // the last byte is on the socket, not just in a queue
                  return;
                }
                if (unwritten < MAX_UNWRITTEN_BYTES / 2) {
                  // The socket took it: the client is keeping up again.
                  lastUpstreamSignal = System.nanoTime();
                  refill();
                }
              });
    }
    if (upstreamDone && queue.isEmpty()) {
      Throwable error = upstreamError;
      if (error != null) {
        finish(error);
      } else if (written != expectedBytes) {
        finish(new LengthMismatchException(expectedBytes, written));
      } else if (unwritten == 0) {
        finish(null);
      } else {
        // Done when the socket has taken the rest: the next body written into the same
        // response (a multipart part) starts from an empty queue, so the bound holds across parts.
        complete = true;
      }
      return;
    }
    refill();
  }

  private void refill() {
    if (finished || subscription == null || upstreamDone) {
      return;
    }
    if (response.writeQueueFull()) {
      response.drainHandler(
          v -> {
            // The wait was the client's, not the origin's.
            lastUpstreamSignal = System.nanoTime();
            refill();
          });
      return;
    }
    if (unwritten >= MAX_UNWRITTEN_BYTES) {
      return; // a write completing asks again
    }
    if (outstanding <= BATCH / 2) {
      int n = BATCH - outstanding;
      outstanding += n;
      subscription.request(n);
    }
  }

  /**
   * The connection closed. A client that already has every byte (the socket took them all) may
   * close before the origin's end-of-body signal arrives: that body was delivered whole, and the
   * origin's stream ends by itself. Anything less is a client gone mid-body.
   */
  private void clientClosed() {
    if (!finished && written == expectedBytes && unwritten == 0 && queue.isEmpty()) {
      finish(null);
    } else {
      abort(new ClientGoneException());
    }
  }

  private void abort(Throwable cause) {
    if (finished) {
      return;
    }
    if (subscription != null) {
      subscription.cancel();
    }
    finish(cause);
  }

  private void finish(Throwable failure) {
    if (finished) {
      return;
    }
    finished = true;
    queue.clear();
    if (watchdog >= 0) {
      context.owner().cancelTimer(watchdog);
    }
    response.drainHandler(null);
    response.closeHandler(null);
    if (failure == null) {
      done.complete();
    } else {
      done.fail(failure);
    }
  }
}
