package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Object keys reach the right object byte for byte in both delivery modes, and the response
 * headers describe media correctly whatever the file name.
 */
class ObjectKeysAndHeadersTest {
  static GatewayFixture gw;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start();
    List<String> ids = new java.util.ArrayList<>(TestData.AWKWARD.keySet());
    ids.add("clip");
    ids.add("hostile-name");
    token = gw.tokens.mint(TestData.ACCOUNT, ids, List.of("download", "play"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static Stream<String> awkwardAssets() {
    return TestData.AWKWARD.keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("awkwardAssets")
  void stream_awkwardKey_readsExactlyThatObject(String assetId) throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/" + assetId + "/original?delivery=stream", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(TestData.AWKWARD.get(assetId));
  }

  @ParameterizedTest
  @MethodSource("awkwardAssets")
  void redirect_awkwardKey_presignedUrlReadsExactlyThatObject(String assetId) throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/" + assetId + "/original", token);
    assertThat(r.statusCode()).isEqualTo(302);

    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    HttpResponse<byte[]> fromS3 = gw.send(HttpRequest.newBuilder(location).GET().build());

    assertThat(fromS3.statusCode()).isEqualTo(200);
    assertThat(new String(fromS3.body(), StandardCharsets.UTF_8)).isEqualTo(TestData.AWKWARD.get(assetId));
  }

  @Test
  void stream_objectStoredAsBinaryOctetStream_answersMediaContentType() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token);

    assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp4");
    assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    assertThat(r.headers().firstValue("ETag")).isPresent();
    assertThat(r.headers().firstValue("Last-Modified")).isPresent();
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("private, max-age=3600");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
  }

  @Test
  void stream_hostileFileName_cannotBreakOrInjectHeaders() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/hostile-name/original?delivery=stream", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    List<String> dispositions = r.headers().allValues("Content-Disposition");
    assertThat(dispositions).hasSize(1);
    String value = dispositions.get(0);
    assertThat(value).startsWith("attachment; filename=\"").contains("filename*=UTF-8''");
    assertThat(value.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    String fallback = value.substring(value.indexOf("filename=\"") + 10, value.indexOf('"', value.indexOf("filename=\"") + 10));
    assertThat(fallback).doesNotContain("\\").doesNotContain("\"").doesNotContain("\r").doesNotContain("\n");
    String encoded = value.substring(value.indexOf("UTF-8''") + 7);
    assertThat(java.net.URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8))
        .contains("Ünï 東京.mp4")
        .contains("quote\"back")
        .doesNotContain("\r")
        .doesNotContain("\n");
  }

  @Test
  void redirect_hostileFileName_reachesS3AsOneSafeHeader() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/hostile-name/original", token);
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());

    HttpResponse<byte[]> fromS3 = gw.send(HttpRequest.newBuilder(location).GET().build());

    assertThat(fromS3.statusCode()).isEqualTo(200);
    assertThat(fromS3.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(fromS3.headers().allValues("Content-Disposition")).singleElement().asString().startsWith("attachment; filename=\"");
  }

  @Test
  void play_customerHtmlObject_isNeverServedInline() throws Exception {
    String key = TestData.PREFIX + TestData.AWKWARD.get("awk-symbols");
    byte[] html = "<script>alert(location.search)</script>".getBytes(StandardCharsets.UTF_8);
    try {
      gw.s3.put(TestData.CUSTOMER_BUCKET, key, html, "text/html");
      gw.s3.put(TestData.CUSTOMER_BUCKET, key + "x", html, "image/svg+xml");

      HttpResponse<byte[]> r = gw.get("/v1/assets/awk-symbols/play", token);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment;");
      assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("sandbox");
      assertThat(gw.get("/v1/assets/clip/play", token).headers().firstValue("Content-Disposition").orElseThrow()).startsWith("inline;");
    } finally {
      gw.s3.put(TestData.CUSTOMER_BUCKET, key, TestData.AWKWARD.get("awk-symbols").getBytes(StandardCharsets.UTF_8), "application/octet-stream");
    }
  }

  @Test
  void play_pathTraversalAttempts_neverLeaveTheAssetsKey() throws Exception {
    for (String path :
        new String[] {
          "/v1/assets/..%2F..%2Fother/play",
          "/v1/assets/clip%2F..%2Fempty/play",
          "/v1/assets/clip/../empty/play",
          "/v1/assets/%2e%2e/play",
        }) {
      HttpResponse<byte[]> r = gw.get(path, token);
      assertThat(r.statusCode()).as(path).isIn(400, 403, 404);
      assertThat(r.body()).as(path).isNotEqualTo(TestData.CLIP);
    }
  }
}
