package io.storageconnect.gateway.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.FakeTime;
import io.storageconnect.gateway.support.S3Server;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every account with its own credentials or role gets its own SDK client. Left to itself the SDK
 * gives each client its own thread pools (future completion, call timeouts), so threads would
 * grow with the number of accounts; here they are shared, and stay a handful however many clients.
 */
class SdkThreadsTest {
  static final String BUCKET = "sdk-threads";

  static long sdkThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("sdk-async-response") || n.startsWith("sdk-ScheduledExecutor") || n.startsWith("s3-sdk-"))
        .count();
  }

  @Test
  void fortyAccountsWithTheirOwnCredentials_shareAHandfulOfSdkThreads() throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeTime time = new FakeTime(Instant.now());
    OriginOptions options = OriginOptions.defaults();
    S3Origin origin = new S3Origin(vertx, options, S3Origin.httpClient(options), null, time, time);
    try (S3Server s3 = S3Server.start()) {
      s3.createBucket(BUCKET);
      s3.put(BUCKET, "k", new byte[16], "application/octet-stream");
      List<BucketAddress> buckets = new ArrayList<>();
      buckets.add(new BucketAddress(S3Server.REGION, BUCKET, s3.endpoint(), new StaticCredentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)));
      for (int i = 1; i < 40; i++) {
        // Keys S3Proxy does not know: each HEAD is refused, and still runs through its client.
        buckets.add(new BucketAddress(S3Server.REGION, BUCKET, s3.endpoint(), new StaticCredentials("AKIDACCOUNT" + i, "secret-of-account-" + i)));
      }
      long before = sdkThreads();
      vertx.executeBlocking(() -> {
        origin.prepare(buckets);
        return null;
      }).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

      int ok = 0;
      int refused = 0;
      for (BucketAddress bucket : buckets) {
        java.util.concurrent.CompletableFuture<ObjectMeta> head = new java.util.concurrent.CompletableFuture<>();
        vertx.runOnContext(v -> origin.headUncached(OriginCall.Caller.PLATFORM, bucket, "k")
            .onSuccess(head::complete)
            .onFailure(head::completeExceptionally));
        try {
          head.get(30, TimeUnit.SECONDS);
          ok++;
        } catch (java.util.concurrent.ExecutionException e) {
          refused++;
        }
      }

      assertThat(ok).isEqualTo(1);
      assertThat(refused).isEqualTo(39);
      // Without sharing: about two completion threads and one scheduler thread per client (40+).
      assertThat(sdkThreads() - before).isLessThanOrEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()) + 1);
    } finally {
      origin.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
