package io.storageconnect.gateway.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.FakeTime;
import io.storageconnect.gateway.support.S3Server;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presigned URLs are reused for a tenth of their lifetime (at most a minute), on injected time:
 * the same URL while that lasts, even across a change of the signing second; a freshly signed one
 * after; another object or other overrides never share one. Every URL works against S3Proxy.
 */
class PresignReuseTest {
  static final String BUCKET = "presign-reuse";
  static Vertx vertx;
  static S3Server s3;
  static FakeTime time;
  static S3Origin origin;
  static BucketAddress bucket;
  static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    s3.put(BUCKET, "a.mp4", "first object".getBytes(StandardCharsets.UTF_8), "video/mp4");
    s3.put(BUCKET, "b.mp4", "second object".getBytes(StandardCharsets.UTF_8), "video/mp4");
    time = new FakeTime(Instant.now());
    OriginOptions options = OriginOptions.defaults();
    origin = new S3Origin(vertx, options, S3Origin.httpClient(options), null, time, time);
    bucket = new BucketAddress(S3Server.REGION, BUCKET, s3.endpoint(), new StaticCredentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY));
    vertx.executeBlocking(() -> {
      origin.prepare(List.of(bucket));
      return null;
    }).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    origin.close();
    s3.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static URI presign(String key, Duration ttl, String disposition) throws Exception {
    Future<URI> url = origin.presign(io.storageconnect.gateway.origin.OriginCall.Caller.PLATFORM, bucket, key, ttl, disposition, "video/mp4");
    return url.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static String fetch(URI url) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  static void nextSecond() throws InterruptedException {
    long second = Instant.now().getEpochSecond();
    Await.until("the signing clock moved on", () -> Instant.now().getEpochSecond() > second);
  }

  @Test
  void sameObject_withinReuseWindow_getsTheSameUrl_thenAFreshOne() throws Exception {
    URI first = presign("a.mp4", Duration.ofMinutes(15), "attachment");
    nextSecond(); // signed now, X-Amz-Date would differ

    URI again = presign("a.mp4", Duration.ofMinutes(15), "attachment");
    assertThat(again).isEqualTo(first);

    time.advance(Duration.ofSeconds(61)); // a tenth of 15 minutes is 90 s; the cap is a minute
    URI fresh = presign("a.mp4", Duration.ofMinutes(15), "attachment");
    assertThat(fresh).isNotEqualTo(first);
    assertThat(fetch(first)).isEqualTo("first object");
    assertThat(fetch(fresh)).isEqualTo("first object");
  }

  @Test
  void shortLifetime_isReusedForATenthOfIt() throws Exception {
    URI first = presign("b.mp4", Duration.ofSeconds(100), "inline");
    nextSecond();
    time.advance(Duration.ofSeconds(9));
    assertThat(presign("b.mp4", Duration.ofSeconds(100), "inline")).isEqualTo(first);

    time.advance(Duration.ofSeconds(2)); // 11 s > 100 s / 10
    assertThat(presign("b.mp4", Duration.ofSeconds(100), "inline")).isNotEqualTo(first);
  }

  @Test
  void differentObjectOrOverrides_neverShareAUrl() throws Exception {
    URI a = presign("a.mp4", Duration.ofMinutes(5), "attachment; filename=\"a.mp4\"");
    URI aInline = presign("a.mp4", Duration.ofMinutes(5), "inline");
    URI b = presign("b.mp4", Duration.ofMinutes(5), "attachment; filename=\"a.mp4\"");

    assertThat(aInline).isNotEqualTo(a);
    assertThat(b).isNotEqualTo(a);
    assertThat(fetch(a)).isEqualTo("first object");
    assertThat(fetch(b)).isEqualTo("second object");
  }
}
