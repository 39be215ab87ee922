package io.storageconnect.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.auth.JWTOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OidcIssuerTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static String rsaPem(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    byte[] der = g.generateKeyPair().getPrivate().getEncoded();
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
  }

  @Test
  void thumbprint_rfc7638Example_matchesPublishedValue() {
    String n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

    assertThat(SigningKey.thumbprint(n, "AQAB")).isEqualTo("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  }

  @Test
  void fromPem_smallKey_isRejected() throws Exception {
    String small = rsaPem(1024);

    assertThatThrownBy(() -> SigningKey.fromPem(small, true)).hasMessageContaining("1024 bits (expected: >= 2048)");
  }

  @Test
  void fromPem_notAKey_isRejected() {
    assertThatThrownBy(() -> SigningKey.fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PKCS#8");
  }

  @Test
  void documents_publishEveryKey_andIssuerVerbatim() throws Exception {
    SigningKey current = SigningKey.fromPem(rsaPem(2048), true);
    SigningKey next = SigningKey.fromPem(rsaPem(2048), false);
    OidcIssuer issuer = new OidcIssuer(vertx, "https://gw.example.com/oidc", "sts.amazonaws.com", Duration.ofMinutes(5), List.of(next, current), Clock.systemUTC());

    JsonObject discovery = issuer.discovery();
    assertThat(discovery.getString("issuer")).isEqualTo("https://gw.example.com/oidc");
    assertThat(discovery.getString("jwks_uri")).isEqualTo("https://gw.example.com/oidc/.well-known/jwks.json");
    assertThat(discovery.getJsonArray("id_token_signing_alg_values_supported")).containsExactly("RS256");
    assertThat(issuer.path()).isEqualTo("/oidc");
    assertThat(issuer.jwks().getJsonArray("keys")).hasSize(2);
    assertThat(issuer.jwks().getJsonArray("keys").stream().map(k -> ((JsonObject) k).getString("kid")))
        .containsExactly(next.kid(), current.kid());
    assertThat(issuer.jwks().encode()).doesNotContain("\"d\"").doesNotContain("PRIVATE");
  }

  @Test
  void mint_signsWithTheSigningKeyAndCarriesClaims() throws Exception {
    SigningKey current = SigningKey.fromPem(rsaPem(2048), true);
    SigningKey next = SigningKey.fromPem(rsaPem(2048), false);
    Instant now = Instant.parse("2026-12-03T12:00:00Z");
    OidcIssuer issuer =
        new OidcIssuer(vertx, "https://gw.example.com/oidc", "sts.amazonaws.com", Duration.ofMinutes(5), List.of(next, current), Clock.fixed(now, ZoneOffset.UTC));

    String token = issuer.mint("acme");

    String[] parts = token.split("\\.");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    assertThat(header.getString("alg")).isEqualTo("RS256");
    assertThat(header.getString("kid")).isEqualTo(current.kid());
    assertThat(claims.getString("iss")).isEqualTo("https://gw.example.com/oidc");
    assertThat(claims.getString("sub")).isEqualTo("acme");
    assertThat(claims.getString("aud")).isEqualTo("sts.amazonaws.com");
    assertThat(claims.getLong("iat")).isEqualTo(now.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(now.getEpochSecond() + 300);
    assertThat(claims.getString("jti")).isNotBlank();
    assertThat(issuer.mint("acme").split("\\.")[1]).as("every token has its own jti").isNotEqualTo(parts[1]);
  }

  @Test
  void mint_verifiesAgainstPublishedJwk() throws Exception {
    SigningKey current = SigningKey.fromPem(rsaPem(2048), true);
    OidcIssuer issuer = new OidcIssuer(vertx, "https://gw.example.com/oidc", "sts.amazonaws.com", Duration.ofMinutes(5), List.of(current), Clock.systemUTC());
    JWTAuth verifier =
        JWTAuth.create(vertx, new JWTAuthOptions().addJwk(issuer.jwks().getJsonArray("keys").getJsonObject(0))
            .setJWTOptions(new JWTOptions().setIssuer("https://gw.example.com/oidc").setAudience(List.of("sts.amazonaws.com"))));

    var user = verifier.authenticate(new TokenCredentials(issuer.mint("acme"))).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(user.attributes().getJsonObject("accessToken").getString("sub")).isEqualTo("acme");
  }

  @Test
  void constructor_requiresExactlyOneSigningKey() throws Exception {
    SigningKey a = SigningKey.fromPem(rsaPem(2048), false);

    assertThatThrownBy(() -> new OidcIssuer(vertx, "https://x.example/oidc", "sts.amazonaws.com", Duration.ofMinutes(5), List.of(a), Clock.systemUTC()))
        .hasMessageContaining("exactly one");
  }

  @Test
  void sessionName_isCloudTrailFriendlyAndBounded() {
    assertThat(RoleCredentials.sessionName("gw-1", "acme")).isEqualTo("scgw.acme.gw-1");
    assertThat(RoleCredentials.sessionName("gw-1", "a".repeat(59))).isEqualTo("scgw." + "a".repeat(59));
    assertThat(RoleCredentials.sessionName("gw 1/x", "a:b")).matches("[\\w+=,.@-]{2,64}");
    assertThat(RoleCredentials.sessionName("i".repeat(40), "a".repeat(64))).hasSize(64).matches("[\\w+=,.@-]{2,64}");
  }
}
