package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Downloads and playback end to end: redirect, stream, play, renditions, thumbnails, HEAD. */
class DeliveryModesTest {
  static GatewayFixture gw;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start();
    token = gw.tokens.all(TestData.ACCOUNT, "clip", "empty", "large", "ghost");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void original_defaultMode_redirectsToWorkingPresignedUrl() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original", token);

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    assertThat(location.getPort()).isEqualTo(gw.s3.port());
    assertThat(location.getRawQuery()).contains("X-Amz-Signature=").contains("response-content-disposition=");

    HttpResponse<byte[]> fromS3 = gw.send(HttpRequest.newBuilder(location).GET().build());
    assertThat(fromS3.statusCode()).isEqualTo(200);
    assertThat(fromS3.body()).isEqualTo(TestData.CLIP);
    assertThat(fromS3.headers().firstValue("Content-Disposition").orElseThrow())
        .startsWith("attachment;")
        .contains("filename=\"Clip final.mp4\"");
    assertThat(fromS3.headers().firstValue("Content-Type")).hasValue("video/mp4");
  }

  @Test
  void original_streamOverride_streamsBytesAsAttachment() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original?delivery=stream", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
    assertThat(r.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment;");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp4");
    assertThat(r.headers().firstValue("Content-Length")).hasValue("100");
  }

  @Test
  void original_unknownDeliveryValue_answers400() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original?delivery=teleport", token);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"error\":\"invalid_delivery\"");
  }

  @Test
  void original_headInRedirectMode_answersFromMetadataWithoutRedirect() throws Exception {
    HttpResponse<byte[]> head = gw.head("/v1/assets/clip/original", token);
    HttpResponse<byte[]> get = gw.get("/v1/assets/clip/original?delivery=stream", token);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Location")).isEmpty();
    assertThat(head.body()).isEmpty();
    for (String name : new String[] {"Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges", "Cache-Control", "Content-Disposition"}) {
      assertThat(head.headers().firstValue(name)).as(name).isPresent().isEqualTo(get.headers().firstValue(name));
    }
  }

  @Test
  void play_streamsInline() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
    assertThat(r.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("inline;");
  }

  @Test
  void rendition_streamsFromManagedBucket() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/renditions/h264_360p", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.RENDITION);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp4");
  }

  @Test
  void rendition_unknownName_answers404() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/renditions/h265_8k", token);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"error\":\"rendition_not_found\"");
  }

  @Test
  void thumbnail_streamsImage() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/thumbnail", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.THUMBNAIL);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/jpeg");
  }

  @Test
  void thumbnail_assetWithoutOne_answers404() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/empty/thumbnail", token);

    assertThat(r.statusCode()).isEqualTo(404);
  }

  @Test
  void original_missingObject_answers404WithoutStorageDetails() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/ghost/original", token);

    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(body).contains("\"error\":\"original_missing\"").contains("\"requestId\"");
    assertThat(body).doesNotContain(TestData.CUSTOMER_BUCKET).doesNotContain("<Error>").doesNotContain("does-not-exist");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
  }

  @Test
  void original_accountConfiguredForStream_streamsAndRefusesOverride() throws Exception {
    String globex = gw.tokens.all(TestData.OTHER_ACCOUNT, "globex-clip");

    HttpResponse<byte[]> r = gw.get("/v1/assets/globex-clip/original", globex);
    HttpResponse<byte[]> overridden = gw.get("/v1/assets/globex-clip/original?delivery=redirect", globex);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("globex-clip");
    assertThat(overridden.statusCode()).isEqualTo(400);
    assertThat(new String(overridden.body(), StandardCharsets.UTF_8)).contains("delivery_override_not_allowed");
  }

  @Test
  void original_largeObjectStreamed_arrivesIntact() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/large/original?delivery=stream", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(TestData.LARGE_SIZE));
    assertThat(r.body()).isEqualTo(TestData.LARGE);
  }
}
