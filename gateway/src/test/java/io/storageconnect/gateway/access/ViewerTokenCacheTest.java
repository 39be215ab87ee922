package io.storageconnect.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageconnect.gateway.failure.GatewayException;
import io.storageconnect.gateway.support.FakeTime;
import io.storageconnect.gateway.support.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Verified viewer tokens are remembered until their own expiry (a player's range requests cost
 * one RSA verification), on injected time: never past {@code exp} plus the leeway, never for a
 * token that failed, never for a different token with the same claims.
 */
class ViewerTokenCacheTest {
  static final int LEEWAY = 30;
  static Vertx vertx;
  static Tokens tokens;
  FakeTime time;
  ViewerAuthenticator auth;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    tokens = new Tokens(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void authenticator() {
    time = new FakeTime(Instant.now());
    auth = new ViewerAuthenticator(
        vertx,
        new AuthOptions(Tokens.ISSUER, List.of(Tokens.AUDIENCE),
            List.of(new AuthOptions.VerificationKey("RS256", tokens.publicKeyPem())), LEEWAY, "X-Origin-Secret", null),
        1_000_000, time, time);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void cachedToken_servesUntilExpiryPlusLeeway_thenIsRefused() throws Exception {
    String token = tokens.mint("acme", List.of("film"), List.of("play"), 240);

    long exp = Long.parseLong(new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
        java.nio.charset.StandardCharsets.UTF_8).replaceAll(".*\"exp\":(\\d+).*", "$1"));
    // Start on a whole second, so the boundary below is exact.
    time.advance(Duration.between(time.instant(), Instant.ofEpochSecond(time.instant().getEpochSecond() + 1)));

    Grant first = await(auth.authenticate(token, null));
    time.advance(Duration.between(time.instant(), Instant.ofEpochSecond(exp + LEEWAY - 1)));
    Grant later = await(auth.authenticate(token, null));

    assertThat(later).isEqualTo(first);
    assertThat(later.allows("acme", "film", Action.PLAY)).isTrue();

    // exp + leeway itself is too late (vertx-auth-jwt's rule: valid while now < exp + leeway).
    // The real clock says the token is still valid; the gateway's clock says it expired: a
    // remembered token is refused on its own exp, not re-verified into a second life.
    time.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> await(auth.authenticate(token, null)))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void rejectedToken_isNeverRemembered() throws Exception {
    String token = tokens.mint("acme", List.of("film"), List.of("play"), 120);
    String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> await(auth.authenticate(tampered, null))).hasCauseInstanceOf(GatewayException.class);
    }
    assertThat(await(auth.authenticate(token, null)).accountId()).isEqualTo("acme");
    assertThatThrownBy(() -> await(auth.authenticate(tampered, null))).hasCauseInstanceOf(GatewayException.class);
  }

  @Test
  void eachTokenIsItsOwnEntry_grantsNeverMix() throws Exception {
    String film = tokens.mint("acme", List.of("film"), List.of("play"), 600);
    String clip = tokens.mint("globex", List.of("clip"), List.of("download"), 600);

    Grant a = await(auth.authenticate(film, null));
    Grant b = await(auth.authenticate(clip, null));
    Grant a2 = await(auth.authenticate(film, null));

    assertThat(a2).isEqualTo(a);
    assertThat(b.accountId()).isEqualTo("globex");
    assertThat(a.allows("acme", "clip", Action.PLAY)).isFalse();
    assertThat(b.allows("globex", "clip", Action.PLAY)).isFalse();
    assertThat(b.allows("globex", "clip", Action.DOWNLOAD)).isTrue();
  }
}
