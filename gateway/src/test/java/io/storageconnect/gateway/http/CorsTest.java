package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.DemoMedia;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A player on another origin may fetch ranges and read Content-Range; only configured origins,
 * exactly; and the policies endpoint hands the customer the matching bucket CORS configuration.
 */
class CorsTest {
  static final String PLAYER = "https://player.example.com";
  static GatewayFixture gw;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.startWithRoles(Map.of("GATEWAY_CORS_ALLOWEDORIGINS", PLAYER + ",http://127.0.0.1:3000", "GATEWAY_CORS_MAXAGE", "15m"));
    token = gw.tokens.all(TestData.ACCOUNT, "clip");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static HttpResponse<byte[]> preflight(String origin, String method, String headers) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri("/v1/assets/clip/play"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers)
        .build());
  }

  static List<String> listHeader(HttpResponse<?> r, String name) {
    return r.headers().allValues(name).stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(String::trim)
        .map(s -> s.toLowerCase(java.util.Locale.ROOT))
        .toList();
  }

  @Test
  void preflight_fromAllowedOrigin_allowsRangeAndAuthorization_andIsCached() throws Exception {
    HttpResponse<byte[]> r = preflight(PLAYER, "GET", "range,authorization");

    assertThat(r.statusCode()).isBetween(200, 204);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(PLAYER);
    assertThat(listHeader(r, "Access-Control-Allow-Headers")).contains("range", "authorization");
    assertThat(listHeader(r, "Access-Control-Allow-Methods")).contains("get", "head").doesNotContain("put", "delete", "post");
    assertThat(r.headers().firstValue("Access-Control-Max-Age")).hasValue("900");
    assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
  }

  @Test
  void rangeFetch_fromAllowedOrigin_exposesContentRange() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Origin", PLAYER, "Range", "bytes=10-19");

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo(java.util.Arrays.copyOfRange(TestData.CLIP, 10, 20));
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(PLAYER);
    assertThat(listHeader(r, "Access-Control-Expose-Headers"))
        .contains("content-range", "content-length", "accept-ranges", "etag", "x-delivery-source", "x-delivery-fallback");
    assertThat(r.headers().firstValue("Vary").orElse("")).containsIgnoringCase("origin");
  }

  @Test
  void errors_fromAllowedOrigin_areReadableToo() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", null, "Origin", PLAYER);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(PLAYER);
    assertThat(new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getString("error")).isEqualTo("unauthorized");
  }

  @Test
  void managedProxy_standingInForAnUnreachableOriginal_keepsTheCorsGrant() throws Exception {
    // Regression: the stand-in once dropped every header set before it, the grant included, so a
    // fetch-based player on another origin failed exactly when the proxy was meant to save it.
    try (GatewayFixture down = GatewayFixture.startWithDemoMedia(Map.of("GATEWAY_CORS_ALLOWEDORIGINS", PLAYER))) {
      String offline = down.tokens.mint(TestData.OTHER_ACCOUNT, List.of(DemoMedia.OFFLINE_VIDEO), List.of("play"));

      HttpResponse<byte[]> r = down.get("/v1/assets/" + DemoMedia.OFFLINE_VIDEO + "/play", offline, "Origin", PLAYER, "Range", "bytes=0-9");

      assertThat(r.statusCode()).isEqualTo(206);
      assertThat(r.headers().firstValue("X-Delivery-Source")).hasValue("managed-proxy");
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(PLAYER);
      assertThat(listHeader(r, "Access-Control-Expose-Headers")).contains("content-range", "x-delivery-source", "x-delivery-fallback");
      assertThat(r.headers().allValues("Vary").toString()).containsIgnoringCase("origin");
    }
  }

  @Test
  void otherOrigins_getNoCorsGrant() throws Exception {
    for (String origin : List.of("https://evil.example.com", "https://player.example.com.evil.net", "http://player.example.com", "null")) {
      HttpResponse<byte[]> pre = preflight(origin, "GET", "range");
      HttpResponse<byte[]> get = gw.get("/v1/assets/clip/play", token, "Origin", origin);

      assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).as(origin).isEmpty();
      assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).as(origin).isEmpty();
      // Refused as the client's problem (403, the gateway's JSON), never counted as a 5xx.
      assertThat(get.statusCode()).as(origin).isEqualTo(403);
      assertThat(new JsonObject(new String(get.body(), StandardCharsets.UTF_8)).getString("error")).isEqualTo("forbidden");
      assertThat(get.headers().firstValue("Access-Control-Allow-Origin").orElse("")).isNotEqualTo("*");
    }
  }

  @Test
  void sameOriginRequests_withoutOrigin_areUnchanged() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    // A shared cache keys on Origin: this copy must not answer a browser on another origin.
    assertThat(r.headers().allValues("Vary").toString()).containsIgnoringCase("origin");
  }

  @Test
  void policies_includeBucketCors_validForPutBucketCors() throws Exception {
    HttpResponse<byte[]> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/v1/accounts/acme/storage/policies"))
        .header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN).GET().build());

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject cors = new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonObject("bucketCors");
    JsonArray rules = cors.getJsonArray("CORSRules");
    assertThat(rules).hasSize(1);
    JsonObject rule = rules.getJsonObject(0);
    // Exactly the keys PutBucketCors accepts in a CORSRule, nothing else.
    assertThat(rule.fieldNames()).containsExactlyInAnyOrder("ID", "AllowedOrigins", "AllowedMethods", "AllowedHeaders", "ExposeHeaders", "MaxAgeSeconds");
    assertThat(rule.getJsonArray("AllowedOrigins").getList()).containsExactly(PLAYER, "http://127.0.0.1:3000");
    assertThat(rule.getJsonArray("AllowedMethods").getList()).containsExactly("GET", "HEAD");
    assertThat(rule.getJsonArray("AllowedHeaders").getList()).contains("Range");
    assertThat(rule.getJsonArray("ExposeHeaders").getList()).contains("Content-Range", "Content-Length", "Accept-Ranges", "ETag");
    assertThat(rule.getLong("MaxAgeSeconds")).isEqualTo(900);
    // The SDK's own model accepts it as is.
    var parsed = software.amazon.awssdk.services.s3.model.CORSRule.builder()
        .id(rule.getString("ID"))
        .allowedOrigins(rule.getJsonArray("AllowedOrigins").getList())
        .allowedMethods(rule.getJsonArray("AllowedMethods").getList())
        .allowedHeaders(rule.getJsonArray("AllowedHeaders").getList())
        .exposeHeaders(rule.getJsonArray("ExposeHeaders").getList())
        .maxAgeSeconds(rule.getInteger("MaxAgeSeconds"))
        .build();
    assertThat(parsed.allowedMethods()).containsExactly("GET", "HEAD");
  }
}
