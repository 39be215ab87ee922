package io.storageconnect.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageconnect.gateway.http.OidcRoutes;
import io.storageconnect.gateway.support.StsServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Rotation of the issuer's signing key without downtime, checked by the loopback STS (which, like
 * IAM, caches the JWKS and refetches it for an unknown kid): publish the new key, then sign with
 * it while the old one stays published, and tokens signed before the switch keep verifying until
 * the old key is withdrawn.
 */
class KeyRotationTest {
  static final String ROLE = "arn:aws:iam::123456789012:role/rotation";
  static Vertx vertx;
  static HttpServer idp;
  static StsServer sts;
  static StsAsyncClient client;
  static String issuerUrl;
  static final AtomicReference<Router> served = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    idp = vertx.createHttpServer().requestHandler(req -> served.get().handle(req)).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    issuerUrl = "http://127.0.0.1:" + idp.actualPort() + "/oidc";
    sts = StsServer.start(vertx, "AKID", "SECRET").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    sts.trust(ROLE, issuerUrl, "sts.amazonaws.com", "acme");
    client = StsAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(sts.endpoint())
        .credentialsProvider(AnonymousCredentialsProvider.create()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    sts.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static OidcIssuer publish(List<SigningKey> keys) {
    OidcIssuer issuer = new OidcIssuer(vertx, issuerUrl, "sts.amazonaws.com", Duration.ofMinutes(5), keys, Clock.systemUTC());
    Router router = Router.router(vertx);
    new OidcRoutes(issuer).mount(router);
    served.set(router);
    return issuer;
  }

  static void assume(String token) throws Exception {
    assume(client, token);
  }

  static void assume(StsAsyncClient sts, String token) throws Exception {
    sts.assumeRoleWithWebIdentity(r -> r.roleArn(ROLE).roleSessionName("rotation").webIdentityToken(token))
        .get(30, TimeUnit.SECONDS);
  }

  /**
   * Asks a verifier that has cached nothing (a fresh loopback STS), so the answer depends on what
   * the issuer publishes now, not on what an earlier fetch left in a cache.
   */
  static void assumeAtFreshVerifier(String token) throws Exception {
    StsServer fresh = StsServer.start(vertx, "AKID", "SECRET").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    fresh.trust(ROLE, issuerUrl, "sts.amazonaws.com", "acme");
    try (StsAsyncClient freshClient = StsAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(fresh.endpoint())
        .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
      assume(freshClient, token);
    } finally {
      fresh.close();
    }
  }

  @Test
  void rotation_publishThenSign_oldTokensVerifyUntilWithdrawn() throws Exception {
    String oldPem = OidcIssuerTest.rsaPem(2048);
    String newPem = OidcIssuerTest.rsaPem(2048);

    // 1. The old key signs; the new key is published ahead of use.
    OidcIssuer before = publish(List.of(SigningKey.fromPem(oldPem, true), SigningKey.fromPem(newPem, false)));
    String oldToken = before.mint("acme");
    assume(oldToken);

    // 2. Switch: the new key signs, the old one stays published.
    OidcIssuer after = publish(List.of(SigningKey.fromPem(oldPem, false), SigningKey.fromPem(newPem, true)));
    assume(after.mint("acme"));
    assume(oldToken); // signed before the switch, not yet expired: still verifies
    // ...also where nothing is cached: because the old key is still published, not by accident.
    assumeAtFreshVerifier(oldToken);

    assertThat(sts.issued()).isEqualTo(3);

    // 3. After the old tokens' lifetime the old key is withdrawn from the JWKS: a verifier that
    //    fetches it now rejects what the old key signed. (Verifiers that cached it, as IAM does,
    //    keep it until their cache expires: the short token lifetime is what bounds exposure.)
    publish(List.of(SigningKey.fromPem(newPem, true)));
    assertThatThrownBy(() -> assumeAtFreshVerifier(oldToken))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(StsException.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken"));
    assumeAtFreshVerifier(after.mint("acme"));
  }

  @Test
  void tokenSignedWithUnpublishedKey_isRejected() throws Exception {
    String publishedPem = OidcIssuerTest.rsaPem(2048);
    publish(List.of(SigningKey.fromPem(publishedPem, true)));
    OidcIssuer rogue =
        new OidcIssuer(vertx, issuerUrl, "sts.amazonaws.com", Duration.ofMinutes(5), List.of(SigningKey.fromPem(OidcIssuerTest.rsaPem(2048), true)), Clock.systemUTC());

    assertThatThrownBy(() -> assume(rogue.mint("acme")))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(StsException.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken"));
  }
}
