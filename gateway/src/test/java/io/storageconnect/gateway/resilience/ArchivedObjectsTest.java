package io.storageconnect.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects moved to archive storage classes by the customer's lifecycle rules: the gateway reads
 * the state from HEAD (headers rewritten on the wire by the fault proxy, as S3Proxy does not
 * emulate archive tiers) and never redirects or streams an object S3 would refuse.
 */
class ArchivedObjectsTest {
  static GatewayFixture gw;
  static FaultProxy proxy;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start(Map.of("GATEWAY_ORIGIN_METADATATTL", "0s"), true);
    proxy = gw.customerProxy;
    token = gw.tokens.all(TestData.ACCOUNT, "clip");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void clear() {
    proxy.clearRules();
  }

  static void headSays(Map<String, String> headers) {
    proxy.when(r -> r.isHead() && r.pathEndsWith("clip.mp4"), Fault.addResponseHeaders(headers));
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void glacierObject_downloadInRedirectMode_answers409InsteadOfRedirect() throws Exception {
    headSays(Map.of("x-amz-storage-class", "GLACIER"));

    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original", token);

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(json(r).getString("error")).isEqualTo("original_archived");
    assertThat(json(r).getString("message")).contains("GLACIER");
  }

  @Test
  void deepArchiveObject_streamDownloadAnswers409_playFallsBackToTheProxy() throws Exception {
    headSays(Map.of("x-amz-storage-class", "DEEP_ARCHIVE"));

    HttpResponse<byte[]> download = gw.get("/v1/assets/clip/original?delivery=stream", token);
    HttpResponse<byte[]> play = gw.get("/v1/assets/clip/play", token);

    assertThat(download.statusCode()).isEqualTo(409);
    assertThat(json(download).getString("storageClass")).isEqualTo("DEEP_ARCHIVE");
    assertThat(json(download).getString("restore")).isEqualTo("not-requested");
    assertThat(play.statusCode()).isEqualTo(200);
    assertThat(play.headers().firstValue("X-Delivery-Fallback")).hasValue("archived");
    assertThat(play.body()).isEqualTo(TestData.RENDITION);
  }

  @Test
  void intelligentTieringArchiveTier_answers409() throws Exception {
    headSays(Map.of("x-amz-storage-class", "INTELLIGENT_TIERING", "x-amz-archive-status", "DEEP_ARCHIVE_ACCESS"));

    assertThat(gw.get("/v1/assets/clip/original", token).statusCode()).isEqualTo(409);
  }

  @Test
  void restoreInProgress_answers409SayingSo() throws Exception {
    headSays(Map.of("x-amz-storage-class", "GLACIER", "x-amz-restore", "ongoing-request=\"true\""));

    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original", token);

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(json(r).getString("message")).contains("being restored");
    assertThat(json(r).getString("restore")).isEqualTo("in-progress");
  }

  @Test
  void restoredCopy_isServed() throws Exception {
    headSays(Map.of("x-amz-storage-class", "GLACIER", "x-amz-restore", "ongoing-request=\"false\", expiry-date=\"Fri, 01 Jan 2100 00:00:00 GMT\""));

    HttpResponse<byte[]> redirect = gw.get("/v1/assets/clip/original", token);
    HttpResponse<byte[]> stream = gw.get("/v1/assets/clip/play", token);

    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void instantRetrievalClasses_areServed() throws Exception {
    for (String storageClass : new String[] {"STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "INTELLIGENT_TIERING"}) {
      proxy.clearRules();
      headSays(Map.of("x-amz-storage-class", storageClass));
      assertThat(gw.get("/v1/assets/clip/play", token).statusCode()).as(storageClass).isEqualTo(200);
    }
  }

  @Test
  void archivedAfterMetadataWasRead_getAnswersInvalidObjectState_downloadAnswers409() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("clip.mp4"),
        Fault.s3Error(403, "InvalidObjectState", "The operation is not valid for the object's storage class"));

    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original?delivery=stream", token);

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(json(r).getString("error")).isEqualTo("original_archived");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("InvalidObjectState").doesNotContain("<Error>");
  }

  @Test
  void archivedAfterMetadataWasRead_getAnswersInvalidObjectState_playFallsBackToTheProxy() throws Exception {
    proxy.when(r -> r.isGet() && r.pathEndsWith("clip.mp4"),
        Fault.s3Error(403, "InvalidObjectState", "The operation is not valid for the object's storage class"));

    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Delivery-Source")).hasValue("managed-proxy");
    assertThat(r.headers().firstValue("X-Delivery-Fallback")).hasValue("archived");
    assertThat(r.body()).isEqualTo(TestData.RENDITION);
  }
}
