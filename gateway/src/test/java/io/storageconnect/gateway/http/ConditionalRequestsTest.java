package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.net.http.HttpResponse;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 9110 §13 conditional requests against the stored object's ETag and Last-Modified. */
class ConditionalRequestsTest {
  static GatewayFixture gw;
  static String token;
  static String etag;
  static String lastModified;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start();
    token = gw.tokens.all(TestData.ACCOUNT, "clip");
    HttpResponse<byte[]> head = gw.head("/v1/assets/clip/play", token);
    etag = head.headers().firstValue("ETag").orElseThrow();
    lastModified = head.headers().firstValue("Last-Modified").orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  /** IMF-fixdate (RFC 9110 §5.6.7): two-digit day, unlike Java's RFC_1123_DATE_TIME output. */
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);

  private static String shifted(String httpDate, long seconds) {
    return IMF_FIXDATE.format(
        ZonedDateTime.parse(httpDate, DateTimeFormatter.RFC_1123_DATE_TIME).plusSeconds(seconds).withZoneSameInstant(ZoneOffset.UTC));
  }

  @Test
  void etag_isStrongAndQuoted() {
    assertThat(etag).startsWith("\"").endsWith("\"").doesNotStartWith("W/");
  }

  @Test
  void ifNoneMatch_matchingEtag_answers304WithValidatorsAndCacheControl() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-None-Match", etag);

    assertThat(r.statusCode()).isEqualTo(304);
    assertThat(r.headers().firstValue("ETag")).hasValue(etag);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("private, max-age=3600");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void ifNoneMatch_weakFormOfEtagInList_answers304() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-None-Match", "\"other\", W/" + etag);

    assertThat(r.statusCode()).isEqualTo(304);
  }

  @Test
  void ifNoneMatch_otherEtag_answers200() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-None-Match", "\"something-else\"");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void ifNoneMatch_onHead_answers304() throws Exception {
    HttpResponse<byte[]> r = gw.head("/v1/assets/clip/play", token, "If-None-Match", etag);

    assertThat(r.statusCode()).isEqualTo(304);
    assertThat(r.headers().firstValue("ETag")).hasValue(etag);
  }

  @Test
  void ifModifiedSince_notModified_answers304() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-Modified-Since", lastModified);

    assertThat(r.statusCode()).isEqualTo(304);
    assertThat(r.headers().firstValue("ETag")).hasValue(etag);
  }

  @Test
  void ifModifiedSince_before_answers200() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-Modified-Since", shifted(lastModified, -3600));

    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void ifModifiedSince_ignoredWhenIfNoneMatchPresent() throws Exception {
    HttpResponse<byte[]> r =
        gw.get("/v1/assets/clip/play", token, "If-None-Match", "\"other\"", "If-Modified-Since", lastModified);

    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void ifMatch_mismatch_answers412() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-Match", "\"stale\"");

    assertThat(r.statusCode()).isEqualTo(412);
    assertThat(new String(r.body())).contains("precondition_failed");
  }

  @Test
  void ifMatch_matchOrStar_answers200() throws Exception {
    assertThat(gw.get("/v1/assets/clip/play", token, "If-Match", etag).statusCode()).isEqualTo(200);
    assertThat(gw.get("/v1/assets/clip/play", token, "If-Match", "*").statusCode()).isEqualTo(200);
  }

  @Test
  void ifMatch_weakEtag_neverMatchesStrongly() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-Match", "W/" + etag);

    assertThat(r.statusCode()).isEqualTo(412);
  }

  @Test
  void ifUnmodifiedSince_before_answers412() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-Unmodified-Since", shifted(lastModified, -3600));

    assertThat(r.statusCode()).isEqualTo(412);
  }

  @Test
  void ifUnmodifiedSince_after_answers200() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "If-Unmodified-Since", shifted(lastModified, 3600));

    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void ifRange_matchingStrongEtag_answers206() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", "bytes=10-19", "If-Range", etag);

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(TestData.CLIP, 10, 20));
  }

  @Test
  void ifRange_otherEtag_answersWhole200() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", "bytes=10-19", "If-Range", "\"changed\"");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void ifRange_weakEtag_answersWhole200() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", "bytes=10-19", "If-Range", "W/" + etag);

    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void ifRange_exactLastModified_answers206() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", "bytes=10-19", "If-Range", lastModified);

    assertThat(r.statusCode()).isEqualTo(206);
  }

  @Test
  void ifRange_otherDate_answersWhole200() throws Exception {
    HttpResponse<byte[]> r =
        gw.get("/v1/assets/clip/play", token, "Range", "bytes=10-19", "If-Range", shifted(lastModified, -60));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void ifNoneMatch_inRedirectMode_answers304WithoutRedirect() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original", token, "If-None-Match", etag);

    assertThat(r.statusCode()).isEqualTo(304);
    assertThat(r.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void objectReplaced_afterMetadataCached_servesNewBytesNotSplicedOnes() throws Exception {
    String key = TestData.PREFIX + "originals/clip.mp4";
    assertThat(gw.get("/v1/assets/clip/play", token).body()).isEqualTo(TestData.CLIP);
    byte[] replacement = TestData.random(100, 7);
    try {
      gw.s3.put(TestData.CUSTOMER_BUCKET, key, replacement, "binary/octet-stream");

      // The cached metadata still names the old ETag: the GET's If-Match fails upstream, the
      // gateway refreshes the metadata and answers the new object whole and consistent.
      HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(replacement);
      assertThat(r.headers().firstValue("ETag")).isPresent().isNotEqualTo(java.util.Optional.of(etag));
    } finally {
      gw.s3.put(TestData.CUSTOMER_BUCKET, key, TestData.CLIP, "binary/octet-stream");
    }
  }
}
