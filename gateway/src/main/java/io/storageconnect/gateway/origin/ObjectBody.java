package io.storageconnect.gateway.origin;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The answer to a GET once its headers have arrived: the length of the bytes that follow (from the
 * upstream response, never computed from the object size) and the body as a publisher that holds a
 * pooled upstream connection until it completes or is cancelled.
 *
 * <p>Whoever receives an {@code ObjectBody} must either subscribe to {@link #body()} or call
 * {@link #discard()}, or the upstream connection leaks; and must then report how the body ended
 * through {@link #outcome()} (a circuit breaker waits for it: a GET is judged when its body is
 * over, not when its headers arrive).
 */
public record ObjectBody(long contentLength, String contentRange, String etag, Publisher<ByteBuffer> body, Outcome outcome) {

  /** How reading a body ended; each method may be called any number of times, the first counts. */
  public interface Outcome {
    /** Every byte arrived. */
    void succeeded();

    /** The origin failed mid-body (reset, truncation, silence). */
    void failed(Throwable failure);

    /** Nobody read to the end: the client went away, or the body was not wanted. */
    void abandoned();

    /**
     * The origin failed mid-body, and the rest is being asked for by another call, which reports
     * its own outcome. Reported as a failure unless told otherwise (a breaker does not count it).
     */
    default void resumed(Throwable failure) {
      failed(failure);
    }

    /** Both, in order: each is told how the body ended. */
    default Outcome andThen(Outcome next) {
      Outcome first = this;
      return new Outcome() {
        @Override
        public void succeeded() {
          first.succeeded();
          next.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
          first.failed(failure);
          next.failed(failure);
        }

        @Override
        public void abandoned() {
          first.abandoned();
          next.abandoned();
        }

        @Override
        public void resumed(Throwable failure) {
          first.resumed(failure);
          next.resumed(failure);
        }
      };
    }

    Outcome NONE =
        new Outcome() {
          @Override
          public void succeeded() {}

          @Override
          public void failed(Throwable failure) {}

          @Override
          public void abandoned() {}
        };
  }

  public ObjectBody(long contentLength, String contentRange, String etag, Publisher<ByteBuffer> body) {
    this(contentLength, contentRange, etag, body, Outcome.NONE);
  }

  public ObjectBody withOutcome(Outcome outcome) {
    return new ObjectBody(contentLength, contentRange, etag, body, outcome);
  }

  /** Releases the upstream connection without reading the body: nobody wants it. */
  public void discard() {
    outcome.abandoned();
    cancel();
  }

  /** Releases the upstream connection without reading the body, because of {@code why}. */
  public void discard(Throwable why) {
    outcome.failed(why);
    cancel();
  }

  private void cancel() {
    body.subscribe(
        new Subscriber<>() {
          @Override
          public void onSubscribe(Subscription s) {
            s.cancel();
          }

          @Override
          public void onNext(ByteBuffer item) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
  }
}
