package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import io.storageconnect.gateway.support.S3Server;
import io.storageconnect.gateway.support.TestData;
import io.storageconnect.gateway.support.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may read what: viewer tokens, their scope, CDN origin secrets, and the error format. */
class AccessTest {
  static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start();
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    // Nothing secret ever reached a log line during this class.
    assertThat(String.join("\n", LogCapture.lines()))
        .doesNotContain(S3Server.SECRET_KEY)
        .doesNotContain(GatewayFixture.ORIGIN_SECRET)
        .doesNotContain("eyJ")
        .doesNotContain("X-Amz-Signature");
  }

  private static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  private static void assertError(HttpResponse<byte[]> r, int status, String code) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonObject body = json(r);
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("requestId")).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("error", "message", "requestId");
  }

  @Test
  void noToken_answers401WithChallenge() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", null);

    assertError(r, 401, "unauthorized");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  void garbageToken_answers401() throws Exception {
    assertError(gw.get("/v1/assets/clip/play", "not.a.jwt"), 401, "unauthorized");
  }

  @Test
  void expiredToken_answers401() throws Exception {
    String token = gw.tokens.mint(TestData.ACCOUNT, List.of("clip"), List.of("play"), -60);

    assertError(gw.get("/v1/assets/clip/play", token), 401, "unauthorized");
  }

  @Test
  void tokenWithoutExpiry_answers401() throws Exception {
    String token =
        gw.tokens.mint(
            new JsonObject().put("account", TestData.ACCOUNT).put("assets", new JsonArray().add("clip")).put("actions", new JsonArray().add("play")),
            new JWTOptions().setAlgorithm("RS256").setIssuer(Tokens.ISSUER).setAudience(List.of(Tokens.AUDIENCE)).setNoTimestamp(true));

    assertError(gw.get("/v1/assets/clip/play", token), 401, "unauthorized");
  }

  @Test
  void signedTokenWithNonNumericExpiry_answers401Not500() throws Exception {
    String token =
        gw.tokens.mint(
            new JsonObject().put("account", TestData.ACCOUNT).put("assets", new JsonArray().add("clip")).put("actions", new JsonArray().add("play"))
                .put("exp", "tomorrow"),
            new JWTOptions().setAlgorithm("RS256").setIssuer(Tokens.ISSUER).setAudience(List.of(Tokens.AUDIENCE)).setNoTimestamp(true));

    assertError(gw.get("/v1/assets/clip/play", token), 401, "unauthorized");
  }

  @Test
  void wrongIssuerOrAudience_answers401() throws Exception {
    JsonObject claims =
        new JsonObject().put("account", TestData.ACCOUNT).put("assets", new JsonArray().add("clip")).put("actions", new JsonArray().add("play"));
    String wrongIssuer =
        gw.tokens.mint(claims, new JWTOptions().setAlgorithm("RS256").setIssuer("https://evil.test").setAudience(List.of(Tokens.AUDIENCE)).setExpiresInMinutes(5));
    String wrongAudience =
        gw.tokens.mint(claims, new JWTOptions().setAlgorithm("RS256").setIssuer(Tokens.ISSUER).setAudience(List.of("other")).setExpiresInMinutes(5));

    assertError(gw.get("/v1/assets/clip/play", wrongIssuer), 401, "unauthorized");
    assertError(gw.get("/v1/assets/clip/play", wrongAudience), 401, "unauthorized");
  }

  @Test
  void unsignedAlgNoneToken_answers401() throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    long exp = System.currentTimeMillis() / 1000 + 600;
    String payload =
        b64.encodeToString(
            ("{\"iss\":\"" + Tokens.ISSUER + "\",\"aud\":\"" + Tokens.AUDIENCE + "\",\"exp\":" + exp
                    + ",\"account\":\"acme\",\"assets\":[\"clip\"],\"actions\":[\"play\"]}")
                .getBytes(StandardCharsets.UTF_8));

    assertError(gw.get("/v1/assets/clip/play", header + "." + payload + "."), 401, "unauthorized");
  }

  @Test
  void hmacTokenSignedWithPublicKey_answers401() throws Exception {
    // The classic algorithm-confusion attack: HS256 keyed with the (public) RSA key's PEM.
    var hmac =
        io.vertx.ext.auth.jwt.JWTAuth.create(
            gw.vertx,
            new io.vertx.ext.auth.jwt.JWTAuthOptions()
                .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(gw.tokens.publicKeyPem())));
    String token =
        hmac.generateToken(
            new JsonObject().put("account", TestData.ACCOUNT).put("assets", new JsonArray().add("clip")).put("actions", new JsonArray().add("play")),
            new JWTOptions().setAlgorithm("HS256").setIssuer(Tokens.ISSUER).setAudience(List.of(Tokens.AUDIENCE)).setExpiresInMinutes(5));

    assertError(gw.get("/v1/assets/clip/play", token), 401, "unauthorized");
  }

  @Test
  void tokenForOneAsset_neverOpensAnother() throws Exception {
    String token = gw.tokens.all(TestData.ACCOUNT, "clip");

    assertThat(gw.get("/v1/assets/clip/play", token).statusCode()).isEqualTo(200);
    assertError(gw.get("/v1/assets/empty/play", token), 403, "forbidden");
    // Existence of other ids is not revealed either.
    assertError(gw.get("/v1/assets/no-such-asset/play", token), 403, "forbidden");
  }

  @Test
  void tokenForOtherAccount_cannotOpenAssetEvenIfListed() throws Exception {
    String token = gw.tokens.all(TestData.OTHER_ACCOUNT, "clip");

    assertError(gw.get("/v1/assets/clip/play", token), 403, "forbidden");
  }

  @Test
  void tokenWithoutAction_answers403() throws Exception {
    String playOnly = gw.tokens.mint(TestData.ACCOUNT, List.of("clip"), List.of("play"));

    assertThat(gw.get("/v1/assets/clip/play", playOnly).statusCode()).isEqualTo(200);
    assertError(gw.get("/v1/assets/clip/original", playOnly), 403, "forbidden");
    assertError(gw.get("/v1/assets/clip/thumbnail", playOnly), 403, "forbidden");
    assertError(gw.get("/v1/assets/clip/renditions/h264_360p", playOnly), 403, "forbidden");
  }

  @Test
  void queryToken_worksForVideoElements() throws Exception {
    String token = gw.tokens.all(TestData.ACCOUNT, "clip");

    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play?token=" + token, null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void unknownAssetInToken_answers404() throws Exception {
    String token = gw.tokens.all(TestData.ACCOUNT, "no-such-asset");

    assertError(gw.get("/v1/assets/no-such-asset/play", token), 404, "asset_not_found");
  }

  @Test
  void malformedAssetId_answers400() throws Exception {
    String token = gw.tokens.all(TestData.ACCOUNT, "clip");

    assertError(gw.get("/v1/assets/-bad/play", token), 400, "invalid_asset_id");
    assertError(gw.get("/v1/assets/" + "x".repeat(129) + "/play", token), 400, "invalid_asset_id");
    assertError(gw.get("/v1/assets/a%20b/play", token), 400, "invalid_asset_id");
  }

  @Test
  void malformedRenditionName_answers400() throws Exception {
    String token = gw.tokens.all(TestData.ACCOUNT, "clip");

    assertError(gw.get("/v1/assets/clip/renditions/bad%20name", token), 400, "invalid_rendition_name");
  }

  @Test
  void originSecret_opensAnyAssetAndStreamsOriginals() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original", null, "X-Origin-Secret", GatewayFixture.ORIGIN_SECRET);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.CLIP);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=86400");
  }

  @Test
  void wrongOriginSecret_answers401() throws Exception {
    assertError(gw.get("/v1/assets/clip/original", null, "X-Origin-Secret", "guess"), 401, "unauthorized");
  }

  @Test
  void otherMethod_answers405WithAllow() throws Exception {
    String token = gw.tokens.all(TestData.ACCOUNT, "clip");
    HttpResponse<byte[]> r =
        gw.send(gw.request("/v1/assets/clip/play", token).POST(HttpRequest.BodyPublishers.ofString("x")).build());

    assertError(r, 405, "method_not_allowed");
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void unknownPath_answers404Json() throws Exception {
    assertError(gw.get("/v2/whatever", null), 404, "not_found");
  }

  @Test
  void requestId_isTakenFromCallerWhenSane() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", null, "X-Request-Id", "cdn-abc-123");
    HttpResponse<byte[]> hostile = gw.get("/v1/assets/clip/play", null, "X-Request-Id", "bad id with spaces");

    assertThat(json(r).getString("requestId")).isEqualTo("cdn-abc-123");
    assertThat(json(hostile).getString("requestId")).isNotEqualTo("bad id with spaces").isNotBlank();
  }
}
