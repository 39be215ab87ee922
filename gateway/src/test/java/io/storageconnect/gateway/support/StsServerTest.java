package io.storageconnect.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.storageconnect.gateway.support.StsServer.Failure;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The loopback STS against the real AWS SDK v2 {@link StsAsyncClient} (netty-nio, anonymous, as
 * the gateway will call it) and a tiny in-test identity provider on Vert.x serving discovery
 * documents and JWKS under per-tenant paths. The test thread blocks on futures (it is no event
 * loop); nothing sleeps and no duration is asserted.
 */
@ExtendWith(VertxExtension.class)
class StsServerTest {

  private static final String ACCESS_KEY = "AKIDSTSSERVERTEST";
  private static final String SECRET_KEY = "sts-server-test-secret";
  private static final String ACCOUNT = "123456789012";
  /** With a path, as customers' roles often have. */
  private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/storage-connect/reader";
  private static final String OTHER_ROLE = "arn:aws:iam::" + ACCOUNT + ":role/other-reader";
  private static final String AUDIENCE = "sts.amazonaws.com";
  private static final String SUBJECT = "platform-account-a";
  private static final String SESSION = "gw-1.acct-a";

  private static KeyPair key1;
  private static KeyPair key2;
  private static KeyPair attackerKey;
  private static SdkAsyncHttpClient http;

  private Vertx vertx;
  private Idp idp;
  private String issuer;
  private StsServer sts;
  private StsAsyncClient client;

  @BeforeAll
  static void keysAndHttpClient() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    key1 = generator.generateKeyPair();
    key2 = generator.generateKeyPair();
    attackerKey = generator.generateKeyPair();
    http = NettyNioAsyncHttpClient.builder().build();
  }

  @AfterAll
  static void closeHttpClient() {
    http.close();
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    idp = await(Idp.start(vertx));
    issuer = idp.tenant("tenant-a").publish("k1", key1);
    sts = await(StsServer.start(vertx, ACCESS_KEY, SECRET_KEY));
    sts.trust(ROLE, issuer, AUDIENCE, SUBJECT);
    client = StsAsyncClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(sts.endpoint())
        .credentialsProvider(AnonymousCredentialsProvider.create())
        .httpClient(http)
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    sts.close();
  }

  // --- success ------------------------------------------------------------------------

  @Test
  void assume_validToken_sdkParsesCredentialsAndServerRecordsTheCall() throws Exception {
    String jti = UUID.randomUUID().toString();
    String token = mint(key1, "k1", claims(SUBJECT).put("jti", jti), options(issuer, AUDIENCE));
    assertThat(header(token).getString("kid")).as("vertx-auth-jwt puts the key id in the header").isEqualTo("k1");
    assertThat(header(token).getString("alg")).isEqualTo("RS256");

    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    AssumeRoleWithWebIdentityResponse got = assume(ROLE, SESSION, 900, token).join();
    Instant after = Instant.now();

    Credentials credentials = got.credentials();
    assertThat(credentials.accessKeyId()).isEqualTo(ACCESS_KEY);
    assertThat(credentials.secretAccessKey()).isEqualTo(SECRET_KEY);
    assertThat(credentials.sessionToken()).isNotBlank();
    assertThat(credentials.expiration()).isBetween(before.plusSeconds(900), after.plusSeconds(900));
    assertThat(got.subjectFromWebIdentityToken()).isEqualTo(SUBJECT);
    assertThat(got.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::" + ACCOUNT + ":assumed-role/reader/" + SESSION);
    assertThat(got.assumedRoleUser().assumedRoleId()).startsWith("AROA").endsWith(":" + SESSION);
    assertThat(got.provider()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":oidc-provider/" + issuer.substring("http://".length()));
    assertThat(got.audience()).isEqualTo(AUDIENCE);
    assertThat(got.responseMetadata().requestId()).isNotBlank();

    assertThat(sts.calls()).isEqualTo(1);
    assertThat(sts.issued()).isEqualTo(1);
    assertThat(sts.sessionNames()).containsExactly(SESSION);
    assertThat(sts.tokenClaims()).singleElement().satisfies(claims -> {
      assertThat(claims.getString("iss")).isEqualTo(issuer);
      assertThat(claims.getString("sub")).isEqualTo(SUBJECT);
      assertThat(claims.getString("aud")).isEqualTo(AUDIENCE);
      assertThat(claims.getString("jti")).isEqualTo(jti);
      assertThat(claims.getLong("iat")).isNotNull();
      assertThat(claims.getLong("exp")).isGreaterThan(claims.getLong("iat"));
    });
  }

  @Test
  void assume_twoCalls_sessionTokensDifferAndJwksIsFetchedOnce() throws Exception {
    Credentials first = assume(ROLE, "first", 900, validToken()).join().credentials();
    Credentials second = assume(ROLE, "second", 900, validToken()).join().credentials();

    assertThat(first.sessionToken()).isNotEqualTo(second.sessionToken());
    assertThat(sts.sessionNames()).containsExactly("first", "second");
    assertThat(idp.tenant("tenant-a").discoveryHits()).hasValue(1);
    assertThat(idp.tenant("tenant-a").jwksHits()).hasValue(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "a+b=c,d.e@f-g_h9", "0123456789012345678901234567890123456789012345678901234567890123"})
  void assume_sessionNameAtTheEdgesOfTheRule_isAccepted(String sessionName) throws Exception {
    AssumeRoleWithWebIdentityResponse got = assume(ROLE, sessionName, 900, validToken()).join();

    assertThat(got.assumedRoleUser().arn()).endsWith("/reader/" + sessionName);
    assertThat(sts.sessionNames()).containsExactly(sessionName);
  }

  @Test
  void assume_withoutDurationSeconds_credentialsLastTheDefaultHour() throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Credentials got = assume(ROLE, SESSION, null, validToken()).join().credentials();

    assertThat(got.expiration()).isBetween(before.plusSeconds(3600), Instant.now().plusSeconds(3600));
  }

  @Test
  void maxSessionDuration_twelveHours_allowsTheStsMaximum() throws Exception {
    sts.maxSessionDuration(ROLE, Duration.ofHours(12));
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    Credentials got = assume(ROLE, SESSION, 43_200, validToken()).join().credentials();

    assertThat(got.expiration()).isBetween(before.plusSeconds(43_200), Instant.now().plusSeconds(43_200));
  }

  @Test
  void credentialLifetime_set_expirationFollowsItInsteadOfTheDuration() throws Exception {
    sts.credentialLifetime(Duration.ofSeconds(30));
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    Credentials shortLived = assume(ROLE, SESSION, 3600, validToken()).join().credentials();

    assertThat(shortLived.expiration()).isBetween(before.plusSeconds(30), Instant.now().plusSeconds(30));

    sts.credentialLifetime(null);
    Credentials normal = assume(ROLE, SESSION, 900, validToken()).join().credentials();
    assertThat(normal.expiration()).isAfter(before.plusSeconds(899));
  }

  @Test
  void start_withClock_judgesExpiryAndDatesCredentialsByThatClock() throws Exception {
    Instant then = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
    StsServer later = await(StsServer.start(vertx, ACCESS_KEY, SECRET_KEY, Clock.fixed(then, ZoneOffset.UTC)));
    later.trust(ROLE, issuer, AUDIENCE, SUBJECT);
    try (StsAsyncClient laterClient = clientFor(later)) {
      String validThen = mint(key1, "k1", claims(SUBJECT)
              .put("iat", then.getEpochSecond()).put("exp", then.getEpochSecond() + 300),
          optionsWithOwnTimes(issuer, AUDIENCE));

      Credentials got = assume(laterClient, ROLE, SESSION, 900, validThen).join().credentials();
      assertThat(got.expiration()).isEqualTo(then.plusSeconds(900));

      StsException expired = rejected(assume(laterClient, ROLE, SESSION, 900, validToken()));
      assertThat(expired.awsErrorDetails().errorCode()).isEqualTo("ExpiredTokenException");
    } finally {
      later.close();
    }
  }

  @Test
  void reset_afterCalls_zeroesCountersAndListsButKeepsTrust() throws Exception {
    assume(ROLE, SESSION, 900, validToken()).join();
    rejected(assume(ROLE, "x", 900, validToken()));

    sts.reset();

    assertThat(sts.calls()).isZero();
    assertThat(sts.issued()).isZero();
    assertThat(sts.sessionNames()).isEmpty();
    assertThat(sts.tokenClaims()).isEmpty();
    assume(ROLE, SESSION, 900, validToken()).join();
    assertThat(sts.issued()).isEqualTo(1);
  }

  // --- request validation -------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"a", "has space", "slash/not-allowed", "colon:no", "ünïcødé",
      "01234567890123456789012345678901234567890123456789012345678901234"})
  void assume_badSessionName_validationError(String sessionName) throws Exception {
    StsException e = rejected(assume(ROLE, sessionName, 900, validToken()));

    assertError(e, 400, "ValidationError");
    assertThat(e.awsErrorDetails().errorMessage()).contains("roleSessionName");
    assertThat(sts.issued()).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 899, 3601, 43_201})
  void assume_durationOutOfRange_validationError(int seconds) throws Exception {
    StsException e = rejected(assume(ROLE, SESSION, seconds, validToken()));

    assertError(e, 400, "ValidationError");
    assertThat(sts.issued()).isZero();
  }

  @Test
  void assume_durationAboveTheRolesMaximum_validationErrorNamingIt() throws Exception {
    sts.maxSessionDuration(ROLE, Duration.ofHours(2));

    assume(ROLE, SESSION, 7200, validToken()).join();
    StsException e = rejected(assume(ROLE, SESSION, 7201, validToken()));

    assertError(e, 400, "ValidationError");
    assertThat(e.awsErrorDetails().errorMessage()).contains("MaxSessionDuration");
  }

  @Test
  void assume_missingSessionName_missingParameter() throws Exception {
    StsException e = rejected(client.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).webIdentityToken(validToken())));

    assertError(e, 400, "MissingParameter");
    assertThat(e.awsErrorDetails().errorMessage()).contains("RoleSessionName");
  }

  @Test
  void assume_malformedRoleArn_validationError() throws Exception {
    StsException e = rejected(assume("arn:aws:iam::12345:role/too-short-account", SESSION, 900, validToken()));

    assertError(e, 400, "ValidationError");
  }

  @Test
  void otherAction_getCallerIdentity_invalidAction() throws Exception {
    StsException e = rejected(client.getCallerIdentity());

    assertError(e, 400, "InvalidAction");
  }

  @Test
  void wire_wrongVersion_answersStsErrorXml() throws Exception {
    WebClient raw = WebClient.create(vertx);
    String form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-16&RoleArn=" + ROLE
        + "&RoleSessionName=" + SESSION + "&WebIdentityToken=" + validToken();

    HttpResponse<Buffer> got = await(raw.postAbs(sts.endpoint() + "/")
        .putHeader("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .sendBuffer(Buffer.buffer(form)));

    assertThat(got.statusCode()).isEqualTo(400);
    assertThat(got.getHeader("content-type")).isEqualTo("text/xml");
    String requestId = got.getHeader("x-amzn-RequestId");
    assertThat(requestId).isNotBlank();
    assertThat(got.bodyAsString())
        .contains("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">")
        .contains("<Type>Sender</Type>")
        .contains("<Code>InvalidAction</Code>")
        .contains("<RequestId>" + requestId + "</RequestId>");
    assertThat(sts.calls()).isEqualTo(1);
    raw.close();
  }

  // --- the token ----------------------------------------------------------------------

  @Test
  void token_notAJws_invalidIdentityToken() throws Exception {
    StsException e = rejected(assume(ROLE, SESSION, 900, "not-a.jwt"));

    assertError(e, 400, "InvalidIdentityToken");
  }

  @Test
  void token_hs256WithThePublishedKid_invalidIdentityToken() throws Exception {
    JWTAuth hmac = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("HS256").setBuffer("a-shared-secret-is-not-an-rsa-key").setId("k1")));
    String token = hmac.generateToken(claims(SUBJECT), options(issuer, AUDIENCE).setAlgorithm("HS256"));
    assertThat(header(token).getString("alg")).isEqualTo("HS256");

    StsException e = rejected(assume(ROLE, SESSION, 900, token));

    assertError(e, 400, "InvalidIdentityToken");
    assertThat(idp.tenant("tenant-a").discoveryHits()).as("rejected before any fetch").hasValue(0);
  }

  @Test
  void token_withoutKid_invalidIdentityToken() throws Exception {
    String token = mint(key1, null, claims(SUBJECT), options(issuer, AUDIENCE));
    assertThat(header(token).containsKey("kid")).isFalse();

    StsException e = rejected(assume(ROLE, SESSION, 900, token));

    assertError(e, 400, "InvalidIdentityToken");
  }

  @Test
  void token_unknownKid_invalidIdentityTokenAfterOneRefetch() throws Exception {
    String token = mint(key2, "k-unpublished", claims(SUBJECT), options(issuer, AUDIENCE));

    StsException e = rejected(assume(ROLE, SESSION, 900, token));

    assertError(e, 400, "InvalidIdentityToken");
    // First fetch, then one refetch for the unknown kid, per call the SDK made.
    assertThat(idp.tenant("tenant-a").jwksHits()).hasValue(2 * sts.calls());
  }

  @Test
  void token_signedByAnotherKeyUnderThePublishedKid_invalidIdentityToken() throws Exception {
    String token = mint(attackerKey, "k1", claims(SUBJECT), options(issuer, AUDIENCE));

    StsException e = rejected(assume(ROLE, SESSION, 900, token));

    assertError(e, 400, "InvalidIdentityToken");
  }

  @Test
  void token_payloadAlteredAfterSigning_invalidIdentityToken() throws Exception {
    String[] parts = mint(key1, "k1", claims("platform-account-b"), options(issuer, AUDIENCE)).split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8))
        .put("sub", SUBJECT);
    String forged = parts[0] + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

    StsException e = rejected(assume(ROLE, SESSION, 900, forged));

    assertError(e, 400, "InvalidIdentityToken");
    assertThat(sts.issued()).isZero();
  }

  @Test
  void token_issWithTrailingSlash_invalidIdentityTokenWithoutAskingTheIdp() throws Exception {
    String token = mint(key1, "k1", claims(SUBJECT), options(issuer + "/", AUDIENCE));

    StsException e = rejected(assume(ROLE, SESSION, 900, token));

    assertError(e, 400, "InvalidIdentityToken");
    assertThat(e.awsErrorDetails().errorMessage()).contains("No OpenIDConnect provider found in your account for " + issuer + "/");
    assertThat(idp.tenant("tenant-a").discoveryHits()).hasValue(0);
  }

  @Test
  void token_discoveryIssuerDiffersFromIss_invalidIdentityToken() throws Exception {
    Idp.Tenant tenant = idp.tenant("tenant-slash");
    String iss = tenant.publish("k1", key1);
    tenant.discoveryIssuer = iss + "/";
    sts.trust(ROLE, iss, AUDIENCE, SUBJECT);

    StsException e = rejected(assume(ROLE, SESSION, 900, mint(key1, "k1", claims(SUBJECT), options(iss, AUDIENCE))));

    assertError(e, 400, "InvalidIdentityToken");
    assertThat(tenant.discoveryHits()).hasValue(sts.calls());
    assertThat(tenant.jwksHits()).hasValue(0);
  }

  @Test
  void token_idpUnreachable_idpCommunicationError() throws Exception {
    HttpServer closed = await(vertx.createHttpServer().requestHandler(r -> { }).listen(0, "127.0.0.1"));
    int deadPort = closed.actualPort();
    await(closed.close());
    String gone = "http://127.0.0.1:" + deadPort + "/gone";
    sts.trust(ROLE, gone, AUDIENCE, SUBJECT);

    StsException e = rejected(assume(ROLE, SESSION, 900, mint(key1, "k1", claims(SUBJECT), options(gone, AUDIENCE))));

    assertError(e, 400, "IDPCommunicationError");
    // The SDK's StsRetryStrategy retries IDPCommunicationError like a 5xx.
    assertThat(sts.calls()).isGreaterThan(1);
    assertThat(sts.issued()).isZero();
  }

  @Test
  void token_jwksAnswers500_idpCommunicationErrorAndTheFailureIsNotCached() throws Exception {
    Idp.Tenant tenant = idp.tenant("tenant-a");
    tenant.jwksStatus = 500;

    StsException e = rejected(assume(ROLE, SESSION, 900, validToken()));
    assertError(e, 400, "IDPCommunicationError");

    tenant.jwksStatus = 200;
    assertThat(assume(ROLE, SESSION, 900, validToken()).join().credentials()).isNotNull();
  }

  @Test
  void token_discoveryAnswers404_idpCommunicationError() throws Exception {
    String unknownTenant = issuer.replace("tenant-a", "no-such-tenant");
    sts.trust(ROLE, unknownTenant, AUDIENCE, SUBJECT);

    StsException e = rejected(assume(ROLE, SESSION, 900,
        mint(key1, "k1", claims(SUBJECT), options(unknownTenant, AUDIENCE))));

    assertError(e, 400, "IDPCommunicationError");
  }

  @Test
  void token_expired_expiredTokenException() throws Exception {
    long now = Instant.now().getEpochSecond();
    String token = mint(key1, "k1", claims(SUBJECT).put("iat", now - 600).put("exp", now - 300),
        optionsWithOwnTimes(issuer, AUDIENCE));
    assertThat(payload(token).getLong("exp")).isEqualTo(now - 300);

    StsException e = rejected(assume(ROLE, SESSION, 900, token));

    assertError(e, 400, "ExpiredTokenException");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jti", "iat"})
  void token_withoutRequiredClaim_invalidIdentityToken(String claim) throws Exception {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = claims(SUBJECT).put("iat", now).put("exp", now + 300);
    claims.remove(claim);
    String token = mint(key1, "k1", claims, optionsWithOwnTimes(issuer, AUDIENCE));
    assertThat(payload(token).containsKey(claim)).isFalse();

    StsException e = rejected(assume(ROLE, SESSION, 900, token));

    assertError(e, 400, "InvalidIdentityToken");
  }

  // --- trust --------------------------------------------------------------------------

  @Test
  void trust_wrongAudience_accessDenied() throws Exception {
    StsException e = rejected(assume(ROLE, SESSION, 900, mint(key1, "k1", claims(SUBJECT), options(issuer, "someone-else"))));

    assertAccessDenied(e);
  }

  @Test
  void trust_tokenForAnotherPlatformAccount_accessDenied() throws Exception {
    StsException e = rejected(assume(ROLE, SESSION, 900,
        mint(key1, "k1", claims("platform-account-b"), options(issuer, AUDIENCE))));

    assertAccessDenied(e);
    assertThat(sts.tokenClaims()).isEmpty();
  }

  @Test
  void trust_unknownRoleInAnAccountWithTheProvider_accessDenied() throws Exception {
    StsException e = rejected(assume("arn:aws:iam::" + ACCOUNT + ":role/never-created", SESSION, 900, validToken()));

    assertAccessDenied(e);
  }

  @Test
  void trust_roleTrustingAnotherProviderOfTheAccount_accessDenied() throws Exception {
    String otherIssuer = idp.tenant("tenant-b").publish("k2", key2);
    sts.trust(OTHER_ROLE, otherIssuer, AUDIENCE, SUBJECT);

    StsException e = rejected(assume(ROLE, SESSION, 900, mint(key2, "k2", claims(SUBJECT), options(otherIssuer, AUDIENCE))));

    assertAccessDenied(e);
    assertThat(assume(OTHER_ROLE, SESSION, 900, mint(key2, "k2", claims(SUBJECT), options(otherIssuer, AUDIENCE))).join()
        .assumedRoleUser().arn()).isEqualTo("arn:aws:sts::" + ACCOUNT + ":assumed-role/other-reader/" + SESSION);
  }

  @Test
  void trust_roleInAnAccountWithoutTheProvider_invalidIdentityToken() throws Exception {
    // As IAM: the provider is looked up in the role's account before any role is.
    StsException e = rejected(assume("arn:aws:iam::210987654321:role/reader", SESSION, 900, validToken()));

    assertError(e, 400, "InvalidIdentityToken");
  }

  @Test
  void trust_secondStatement_addsASubjectWithoutRemovingTheFirst() throws Exception {
    sts.trust(ROLE, issuer, AUDIENCE, "platform-account-b");

    assume(ROLE, SESSION, 900, validToken()).join();
    assume(ROLE, SESSION, 900, mint(key1, "k1", claims("platform-account-b"), options(issuer, AUDIENCE))).join();

    assertThat(sts.tokenClaims()).extracting(c -> c.getString("sub")).containsExactly(SUBJECT, "platform-account-b");
  }

  // --- key rotation -------------------------------------------------------------------

  @Test
  void rotation_newKidPublishedLater_acceptedAfterRefetchAndOldKeyStillVerifies() throws Exception {
    Idp.Tenant tenant = idp.tenant("tenant-a");
    assume(ROLE, SESSION, 900, validToken()).join();
    assertThat(tenant.jwksHits()).hasValue(1);

    tenant.publish("k2", key2);
    AssumeRoleWithWebIdentityResponse rotated =
        assume(ROLE, SESSION, 900, mint(key2, "k2", claims(SUBJECT), options(issuer, AUDIENCE))).join();

    assertThat(rotated.credentials()).isNotNull();
    assertThat(tenant.jwksHits()).hasValue(2);

    assume(ROLE, SESSION, 900, validToken()).join();
    assertThat(tenant.jwksHits()).as("both keys now cached").hasValue(2);
    assertThat(sts.issued()).isEqualTo(3);
  }

  // --- failure modes ------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"THROTTLE, 400, Throttling", "INTERNAL_ERROR, 500, InternalFailure",
      "SERVICE_UNAVAILABLE, 503, ServiceUnavailable"})
  void failWith_mode_sdkRetriesThenSurfacesTheCode(Failure mode, int status, String code) throws Exception {
    sts.failWith(mode);

    StsException e = rejected(assume(ROLE, SESSION, 900, validToken()));

    assertError(e, status, code);
    assertThat(sts.calls()).as("the SDK retried").isGreaterThan(1);
    assertThat(sts.issued()).isZero();
    assertThat(idp.tenant("tenant-a").discoveryHits()).as("before validation").hasValue(0);

    sts.failWith(null);
    assertThat(assume(ROLE, SESSION, 900, validToken()).join().credentials()).isNotNull();
  }

  @Test
  void failWith_blackhole_requestIsCountedAndNeverAnswered() throws Exception {
    sts.failWith(Failure.BLACKHOLE);

    Throwable failure = catchThrowable(() -> client.assumeRoleWithWebIdentity(AssumeRoleWithWebIdentityRequest.builder()
            .roleArn(ROLE).roleSessionName(SESSION).webIdentityToken(validToken())
            .overrideConfiguration(c -> c.apiCallAttemptTimeout(Duration.ofMillis(300))
                .apiCallTimeout(Duration.ofSeconds(2)))
            .build())
        .join());

    assertThat(failure).isInstanceOf(CompletionException.class).hasCauseInstanceOf(SdkClientException.class);
    assertThat(sts.calls()).isPositive();
    assertThat(sts.issued()).isZero();
  }

  // --- helpers ------------------------------------------------------------------------

  private StsAsyncClient clientFor(StsServer server) {
    return StsAsyncClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(server.endpoint())
        .credentialsProvider(AnonymousCredentialsProvider.create())
        .httpClient(http)
        .build();
  }

  private CompletableFuture<AssumeRoleWithWebIdentityResponse> assume(String role, String session, Integer seconds,
      String token) {
    return assume(client, role, session, seconds, token);
  }

  private static CompletableFuture<AssumeRoleWithWebIdentityResponse> assume(StsAsyncClient sdk, String role,
      String session, Integer seconds, String token) {
    return sdk.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName(session).durationSeconds(seconds)
        .webIdentityToken(token));
  }

  /** The STS error the SDK surfaced for {@code call}, which must have failed with one. */
  private static StsException rejected(CompletableFuture<?> call) {
    Throwable failure = catchThrowable(call::join);
    assertThat(failure).isInstanceOf(CompletionException.class).hasCauseInstanceOf(StsException.class);
    return (StsException) failure.getCause();
  }

  private static void assertError(StsException e, int status, String code) {
    assertThat(e.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
    assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status);
  }

  private void assertAccessDenied(StsException e) {
    assertError(e, 403, "AccessDenied");
    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    assertThat(sts.issued()).isZero();
  }

  private String validToken() {
    return mint(key1, "k1", claims(SUBJECT), options(issuer, AUDIENCE));
  }

  private static JsonObject claims(String subject) {
    return new JsonObject().put("sub", subject).put("jti", UUID.randomUUID().toString());
  }

  /** iat now, exp five minutes ahead, as the gateway will mint. */
  private static JWTOptions options(String iss, String audience) {
    return new JWTOptions().setAlgorithm("RS256").setIssuer(iss).setAudience(List.of(audience))
        .setExpiresInSeconds(300);
  }

  /**
   * For claims that carry their own {@code iat} and {@code exp}: vertx-auth-jwt would overwrite
   * {@code exp} when {@code expiresInSeconds} is set, and {@code iat} unless told not to.
   */
  private static JWTOptions optionsWithOwnTimes(String iss, String audience) {
    return new JWTOptions().setAlgorithm("RS256").setIssuer(iss).setAudience(List.of(audience))
        .setNoTimestamp(true);
  }

  /** Signs with vertx-auth-jwt, which puts {@code kid} in the header when the key has an id. */
  private String mint(KeyPair pair, String kid, JsonObject claims, JWTOptions options) {
    PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem(pair));
    if (kid != null) {
      key.setId(kid);
    }
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key)).generateToken(claims, options);
  }

  private static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  private static JsonObject payload(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static String pem(KeyPair pair) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Unsigned big-endian magnitude, as RFC 7518 §6.3.1 wants {@code n} and {@code e}. */
  private static String b64(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return b64(bytes);
  }

  /** Blocks the test thread, never an event loop, until {@code future} completes. */
  private static <T> T await(Future<T> future) throws Exception {
    assertThat(Context.isOnEventLoopThread()).isFalse();
    try {
      return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw new AssertionError(e.getCause());
    }
  }

  /**
   * A minimal OpenID provider: each tenant is an issuer {@code http://127.0.0.1:<port>/<tenant>}
   * with a discovery document and a JWKS that tests change while it runs. Handlers run on its
   * event loop; tenants' fields are read there and written by the test thread.
   */
  private static final class Idp {
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
    private volatile int port;

    static Future<Idp> start(Vertx vertx) {
      Idp idp = new Idp();
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(idp::handle)
          .listen()
          .map(server -> {
            idp.port = server.actualPort();
            return idp;
          });
    }

    Tenant tenant(String name) {
      return tenants.computeIfAbsent(name, n -> new Tenant("http://127.0.0.1:" + port + "/" + n));
    }

    private void handle(HttpServerRequest req) {
      String[] path = req.path().split("/", 3); // "", tenant, rest
      Tenant tenant = path.length == 3 ? tenants.get(path[1]) : null;
      if (tenant == null) {
        req.response().setStatusCode(404).end();
      } else if (path[2].equals(".well-known/openid-configuration")) {
        tenant.discoveryHits.incrementAndGet();
        req.response().putHeader("content-type", "application/json").end(new JsonObject()
            .put("issuer", tenant.discoveryIssuer)
            .put("jwks_uri", tenant.issuer + "/jwks.json")
            .put("response_types_supported", new JsonArray().add("id_token"))
            .put("subject_types_supported", new JsonArray().add("public"))
            .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"))
            .encode());
      } else if (path[2].equals("jwks.json")) {
        tenant.jwksHits.incrementAndGet();
        req.response().setStatusCode(tenant.jwksStatus).putHeader("content-type", "application/json")
            .end(new JsonObject().put("keys", new JsonArray(List.copyOf(tenant.keys))).encode());
      } else {
        req.response().setStatusCode(404).end();
      }
    }

    static final class Tenant {
      final String issuer;
      volatile String discoveryIssuer;
      volatile int jwksStatus = 200;
      final List<JsonObject> keys = new CopyOnWriteArrayList<>();
      private final AtomicInteger discoveryHits = new AtomicInteger();
      private final AtomicInteger jwksHits = new AtomicInteger();

      Tenant(String issuer) {
        this.issuer = issuer;
        this.discoveryIssuer = issuer;
      }

      /** Adds the public key to the JWKS under {@code kid}; returns the issuer URL. */
      String publish(String kid, KeyPair pair) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        keys.add(new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
            .put("n", b64(key.getModulus())).put("e", b64(key.getPublicExponent())));
        return issuer;
      }

      AtomicInteger discoveryHits() {
        return discoveryHits;
      }

      AtomicInteger jwksHits() {
        return jwksHits;
      }
    }
  }
}
