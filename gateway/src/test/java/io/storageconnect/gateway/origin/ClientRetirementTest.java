package io.storageconnect.gateway.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.FakeTime;
import io.storageconnect.gateway.support.S3Server;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A storage connection whose role, region or keys change gets a new SDK client; the old one, and
 * those built for admin preflights of connections never saved, are closed once idle, so clients
 * do not pile up over months of connection changes. Closing one disturbs nothing still in use.
 */
class ClientRetirementTest {
  static final String BUCKET = "retire";
  static final int SIZE = 8 * 1024 * 1024;

  Vertx vertx;
  S3Server s3;
  S3Origin origin;
  /** Two addresses of the same bucket with different endpoints: two SDK clients. */
  BucketAddress kept;
  BucketAddress replaced;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    s3.put(BUCKET, "small", new byte[16], "application/octet-stream");
    s3.put(BUCKET, "large", new byte[SIZE], "application/octet-stream");
    FakeTime time = new FakeTime(Instant.now());
    OriginOptions options = OriginOptions.defaults();
    origin = new S3Origin(vertx, options, S3Origin.httpClient(options), null, time, time);
    StaticCredentials keys = new StaticCredentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
    kept = new BucketAddress(S3Server.REGION, BUCKET, s3.endpoint(), keys);
    replaced = new BucketAddress(S3Server.REGION, BUCKET, URI.create("http://localhost:" + s3.port()), keys);
    await(() -> {
      origin.prepare(List.of(kept, replaced));
      return null;
    });
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
    s3.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aClientNoLiveAddressUses_isClosedOnceIdle_andTheLiveOnesKeepServing() throws Exception {
    assertThat(head(kept).size()).isEqualTo(16);
    assertThat(head(replaced).size()).isEqualTo(16);
    assertThat(origin.clientCount()).isEqualTo(2);

    // Used a moment ago: not idle for an hour, so kept even though no connection names it.
    assertThat(retire(List.of(kept), Duration.ofHours(1))).isZero();
    assertThat(origin.clientCount()).isEqualTo(2);

    assertThat(retire(List.of(kept), Duration.ZERO)).isEqualTo(1);
    assertThat(origin.clientCount()).isEqualTo(1);
    assertThat(head(kept).size()).isEqualTo(16);
    // Nothing left to close: every remaining client is live.
    assertThat(retire(List.of(kept), Duration.ZERO)).isZero();

    // A late call for the retired address (a request that resolved the old connection) still
    // works: it gets a client of its own again (built on a worker), closed again once idle.
    assertThat(head(replaced).size()).isEqualTo(16);
    assertThat(origin.clientCount()).isEqualTo(2);
    assertThat(retire(List.of(kept), Duration.ZERO)).isEqualTo(1);
    URI presigned = onContext(() -> origin.presign(OriginCall.Caller.PLATFORM, replaced, "small", Duration.ofMinutes(5), null, null));
    assertThat(presigned.getHost()).isEqualTo("localhost");
    assertThat(origin.clientCount()).isEqualTo(2);
  }

  @Test
  void aBodyStreamingThroughAClient_isReadToTheEnd_whenThatClientIsClosed() throws Exception {
    ObjectBody body = onContext(() -> origin.get(OriginCall.Caller.PLATFORM, replaced, "large", null, null));
    assertThat(body.contentLength()).isEqualTo(SIZE);

    AtomicLong read = new AtomicLong();
    AtomicReference<Subscription> subscription = new AtomicReference<>();
    CompletableFuture<Void> firstChunk = new CompletableFuture<>();
    CompletableFuture<Long> done = new CompletableFuture<>();
    body.body().subscribe(new Subscriber<ByteBuffer>() {
      @Override
      public void onSubscribe(Subscription s) {
        subscription.set(s);
        s.request(1);
      }

      @Override
      public void onNext(ByteBuffer chunk) {
        read.addAndGet(chunk.remaining());
        firstChunk.complete(null);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onComplete() {
        done.complete(read.get());
      }
    });
    firstChunk.get(30, TimeUnit.SECONDS);
    assertThat(read.get()).isLessThan(SIZE);

    // The connection was replaced mid-download, and its client closed.
    assertThat(retire(List.of(kept), Duration.ZERO)).isEqualTo(1);

    subscription.get().request(Long.MAX_VALUE);
    assertThat(done.get(60, TimeUnit.SECONDS)).isEqualTo(SIZE);
    body.outcome().succeeded();
  }

  private int retire(List<BucketAddress> live, Duration idle) throws Exception {
    return await(() -> origin.retire(live, idle));
  }

  private ObjectMeta head(BucketAddress bucket) throws Exception {
    return onContext(() -> origin.headUncached(OriginCall.Caller.PLATFORM, bucket, "small"));
  }

  /** Runs {@code call} on a worker thread (closing a client may block) and waits for it. */
  private <T> T await(java.util.concurrent.Callable<T> call) throws Exception {
    return vertx.executeBlocking(call, false).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Calls the origin on a Vert.x context, as the gateway does, and waits for the answer. */
  private <T> T onContext(Supplier<Future<T>> call) throws Exception {
    CompletableFuture<T> answer = new CompletableFuture<>();
    vertx.runOnContext(v -> call.get().onSuccess(answer::complete).onFailure(answer::completeExceptionally));
    return answer.get(30, TimeUnit.SECONDS);
  }
}
