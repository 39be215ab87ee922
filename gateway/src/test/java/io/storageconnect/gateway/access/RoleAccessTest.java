package io.storageconnect.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.StsServer;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Customer buckets reached the Storage Connect way, end to end: the gateway's OIDC issuer, a
 * loopback STS enforcing AWS's rules (it fetches the gateway's discovery document and JWKS over
 * HTTP), temporary credentials used against S3Proxy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoleAccessTest {
  static GatewayFixture gw;
  static StsServer sts;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    // A hung STS call gives up after 2 s (default 10 s), so the hang test sees the whole story.
    gw = GatewayFixture.startWithRoles(Map.of("GATEWAY_STS_CALLTIMEOUT", "2s"));
    sts = gw.sts;
    token = gw.tokens.all(TestData.ACCOUNT, "clip", "large");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void healSts() {
    sts.failWith(null);
    sts.credentialLifetime(null);
  }


  @Test
  @Order(1)
  void hundredConcurrentFirstRequests_makeExactlyOneStsCall() throws Exception {
    List<CompletableFuture<HttpResponse<byte[]>>> requests = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      requests.add(gw.http.sendAsync(gw.request("/v1/assets/clip/play", token).GET().build(), HttpResponse.BodyHandlers.ofByteArray()));
    }
    for (var r : requests) {
      HttpResponse<byte[]> response = r.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(TestData.CLIP);
    }

    assertThat(sts.issued()).isEqualTo(1);
    assertThat(sts.sessionNames()).singleElement().asString().isEqualTo("scgw.acme.test-gw");
    JsonObject claims = sts.tokenClaims().get(0);
    assertThat(claims.getString("sub")).isEqualTo("acme");
    assertThat(claims.getString("aud")).isEqualTo("sts.amazonaws.com");
    assertThat(claims.getString("iss")).isEqualTo("http://127.0.0.1:" + gw.gateway.port() + "/oidc");
  }

  @Test
  @Order(2)
  void redirect_presignedWithSessionCredentials_worksAtS3() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original", token);

    assertThat(r.statusCode()).isEqualTo(302);
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    assertThat(location.getRawQuery()).contains("X-Amz-Security-Token=");
    HttpResponse<byte[]> fromS3 = gw.send(HttpRequest.newBuilder(location).GET().build());
    assertThat(fromS3.statusCode()).isEqualTo(200);
    assertThat(fromS3.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  @Order(3)
  void stsDown_whileCredentialsValid_keepsServing() throws Exception {
    // Credentials within refreshAhead (4 minutes left, refreshAhead 10): every request wants a
    // refresh, and STS answers each with 503.
    sts.credentialLifetime(Duration.ofMinutes(4));
    assertThat(admin("POST", "/admin/v1/accounts/acme/storage/verify", null).getBoolean("passed")).isTrue();
    sts.failWith(StsServer.Failure.SERVICE_UNAVAILABLE);
    int before = sts.calls();

    for (int i = 0; i < 5; i++) {
      assertThat(gw.get("/v1/assets/clip/play", token).statusCode()).isEqualTo(200);
      assertThat(gw.get("/v1/assets/clip/original?delivery=stream", token).statusCode()).isEqualTo(200);
    }

    Await.until("the refresh reached STS and failed", () -> sts.calls() > before
        && "failing".equals(credentials().getString("state")));
    assertThat(credentials().getString("lastError")).isEqualTo("transient");
    assertThat(credentials().getString("expires")).as("the valid credentials are kept").isNotNull();
    // The failure is remembered with its back-off: STS was not asked once per request.
    assertThat(sts.calls() - before).isLessThan(10);
  }

  /** acme's role credentials as the admin health view shows them. */
  static JsonObject credentials() {
    try {
      return admin("GET", "/admin/v1/accounts/acme/health", null).getJsonObject("credentials");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(4)
  void accountConfiguredWithAnotherAccountsRole_isRejectedByStsAsMisconfigured() throws Exception {
    String mallory = gw.tokens.all("mallory", "mallory-clip");
    int before = sts.calls();

    HttpResponse<byte[]> r = gw.get("/v1/assets/mallory-clip/play", mallory);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("origin_misconfigured").doesNotContain("AccessDenied");
    assertThat(sts.calls()).isGreaterThan(before);
    assertThat(sts.tokenClaims()).noneMatch(c -> "mallory".equals(c.getString("sub")));
  }

  @Test
  @Order(5)
  void misconfiguredAccount_isNotRetriedAtStsDuringBackoff() throws Exception {
    String mallory = gw.tokens.all("mallory", "mallory-clip");
    gw.get("/v1/assets/mallory-clip/play", mallory);
    int after = sts.calls();

    // Right away again: inside the back-off window, the remembered failure answers.
    HttpResponse<byte[]> r = gw.get("/v1/assets/mallory-clip/play", mallory);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(sts.calls()).isEqualTo(after);
  }

  @Test
  @Order(6)
  void presignedUrl_neverOutlivesItsCredentials() throws Exception {
    // Fresh, short-lived credentials: 4 minutes, while presignTtl is 10 minutes and margin 1 minute.
    sts.credentialLifetime(Duration.ofMinutes(4));
    JsonObject verify = admin("POST", "/admin/v1/accounts/acme/storage/verify", null);
    assertThat(verify.getBoolean("passed")).as(verify.encodePrettily()).isTrue();

    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/original", token);

    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    long expires = Long.parseLong(location.getRawQuery().replaceAll(".*X-Amz-Expires=(\\d+).*", "$1"));
    assertThat(expires).isBetween(1L, 180L);
  }

  @Test
  @Order(7)
  void credentialsCloseToExpiry_refreshInBackground_withoutRequestsWaiting() throws Exception {
    // Fresh credentials of 4 minutes are within refreshAhead (10 minutes): each request is served
    // with them at once and starts a background refresh unless one is under way. STS now hangs:
    // the refresh hangs there, and requests go on being served meanwhile.
    // A background refresh started by the previous test may still land, with the 1-hour
    // credentials restored after it: ask again until the gateway holds short-lived ones.
    sts.credentialLifetime(Duration.ofMinutes(4));
    Await.until("the gateway holds 4-minute credentials", () -> {
      try {
        assertThat(admin("POST", "/admin/v1/accounts/acme/storage/verify", null).getBoolean("passed")).isTrue();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      String expires = credentials().getString("expires");
      return expires != null && java.time.Instant.parse(expires).isBefore(java.time.Instant.now().plus(Duration.ofMinutes(5)));
    });
    int hanging = sts.blackholed();
    sts.failWith(StsServer.Failure.BLACKHOLE);

    Await.until(
        "a background refresh hangs at STS",
        () -> {
          try {
            assertThat(gw.get("/v1/assets/clip/play", token).statusCode()).isEqualTo(200);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return sts.blackholed() > hanging;
        });
    assertThat(gw.get("/v1/assets/clip/play", token).statusCode()).as("served while the refresh hangs").isEqualTo(200);
    // The hung call gives up at sts.callTimeout: the failure is remembered (with its back-off) and
    // the valid credentials keep serving.
    Await.until("the hung refresh times out", () -> "failing".equals(credentials().getString("state")));
    assertThat(credentials().getString("lastError")).isEqualTo("transient");
    assertThat(gw.get("/v1/assets/clip/play", token).statusCode()).isEqualTo(200);
    sts.failWith(null);
  }

  @Test
  @Order(8)
  void oidcDocuments_areServedWithCachingHeaders() throws Exception {
    HttpResponse<byte[]> discovery = gw.get("/oidc/.well-known/openid-configuration", null);
    HttpResponse<byte[]> jwks = gw.get("/oidc/.well-known/jwks.json", null);

    assertThat(discovery.statusCode()).isEqualTo(200);
    assertThat(discovery.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");
    JsonObject doc = new JsonObject(new String(discovery.body(), StandardCharsets.UTF_8));
    assertThat(doc.getString("issuer")).isEqualTo("http://127.0.0.1:" + gw.gateway.port() + "/oidc");
    assertThat(doc.getString("jwks_uri")).isEqualTo("http://127.0.0.1:" + gw.gateway.port() + "/oidc/.well-known/jwks.json");
    JsonObject keys = new JsonObject(new String(jwks.body(), StandardCharsets.UTF_8));
    // Both the signing key and the next (published, not yet signing) key are published.
    assertThat(keys.getJsonArray("keys")).hasSize(2);
    assertThat(keys.encode()).doesNotContain("\"d\":");
  }

  static JsonObject admin(String method, String path, JsonObject body) throws Exception {
    HttpResponse<byte[]> r = adminRaw(method, path, body);
    return r.body().length == 0 ? new JsonObject() : new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  static HttpResponse<byte[]> adminRaw(String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return gw.send(b.build());
  }
}
