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
 * {@link #discard()}, or the upstream connection leaks.
 */
public record ObjectBody(long contentLength, String contentRange, String etag, Publisher<ByteBuffer> body) {

  /** Releases the upstream connection without reading the body. */
  public void discard() {
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
