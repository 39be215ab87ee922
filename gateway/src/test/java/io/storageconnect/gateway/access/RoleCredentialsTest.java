package io.storageconnect.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.http.OidcRoutes;
import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.FakeTime;
import io.storageconnect.gateway.support.StsServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;

/** The role credential cache on injected time (nothing sleeps), against the loopback STS. */
class RoleCredentialsTest {
  static final String ROLE = "arn:aws:iam::123456789012:role/acme";
  Vertx vertx;
  HttpServer idp;
  StsServer sts;
  SdkAsyncHttpClient http;
  RoleCredentials roles;
  FakeTime time;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    time = new FakeTime(Instant.now());
    Router router = Router.router(vertx);
    idp = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String issuerUrl = "http://127.0.0.1:" + idp.actualPort() + "/oidc";
    OidcIssuer issuer =
        new OidcIssuer(vertx, issuerUrl, "sts.amazonaws.com", Duration.ofMinutes(5), List.of(SigningKey.fromPem(OidcIssuerTest.rsaPem(2048), true)), time);
    new OidcRoutes(issuer).mount(router);
    sts = StsServer.start(vertx, "AKID", "SECRET", time).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    sts.trust(ROLE, issuerUrl, "sts.amazonaws.com", "acme");
    sts.credentialLifetime(Duration.ofMinutes(20));
    http = NettyNioAsyncHttpClient.builder().build();
    StsOptions options =
        new StsOptions(sts.endpoint(), "us-east-1", Duration.ofHours(1), Duration.ofMinutes(10), "test", Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(10));
    roles = new RoleCredentials(issuer, options, http, time, time, Duration.ofMinutes(1));
  }

  @AfterEach
  void stop() throws Exception {
    roles.close();
    http.close();
    sts.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  AwsSessionCredentials get() throws Exception {
    return roles.credentials("acme", ROLE).get(30, TimeUnit.SECONDS);
  }

  @Test
  void credentials_concurrentFirstCalls_shareOneStsCall() throws Exception {
    List<CompletableFuture<AwsSessionCredentials>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(roles.credentials("acme", ROLE));
    }
    for (var f : all) {
      f.get(30, TimeUnit.SECONDS);
    }

    assertThat(sts.calls()).isEqualTo(1);
  }

  @Test
  void credentials_refreshedAhead_liveAsLongAsTheNewCredentials_evenWhileStsIsDown() throws Exception {
    AwsSessionCredentials first = get();

    time.advance(Duration.ofMinutes(11)); // 9 minutes left: inside refreshAhead
    assertThat(roles.credentials("acme", ROLE)).as("served at once, not waiting for the refresh").isCompleted();
    Await.until("the refreshed credentials are in the cache", () -> {
      CompletableFuture<AwsSessionCredentials> now = roles.credentials("acme", ROLE);
      return now.isDone() && !now.join().sessionToken().equals(first.sessionToken());
    });
    assertThat(sts.issued()).isEqualTo(2);

    sts.failWith(StsServer.Failure.SERVICE_UNAVAILABLE);
    time.advance(Duration.ofMinutes(9).plusSeconds(30)); // the first credentials are gone
    CompletableFuture<AwsSessionCredentials> later = roles.credentials("acme", ROLE);

    assertThat(later).isCompleted();
    assertThat(later.get().sessionToken()).isNotEqualTo(first.sessionToken());
  }

  @Test
  void credentials_failure_isRememberedWithGrowingBackoff_andNotCached() throws Exception {
    sts.failWith(StsServer.Failure.THROTTLE);
    assertThat(roles.credentials("acme", ROLE)).failsWithin(Duration.ofSeconds(30));
    int afterFirst = sts.calls();

    // Within the back-off (1 s): no STS call.
    assertThat(roles.credentials("acme", ROLE)).failsWithin(Duration.ofSeconds(5));
    assertThat(sts.calls()).isEqualTo(afterFirst);

    // After it, STS is asked again; once STS is back, success replaces the failure.
    sts.failWith(null);
    time.advance(Duration.ofSeconds(2));
    assertThat(get()).isNotNull();
    assertThat(sts.calls()).isGreaterThan(afterFirst);
  }

  @Test
  void backoff_doublesUpToTheMaximum() {
    assertThat(roles.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(roles.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(roles.backoff(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(roles.backoff(10)).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void credentials_expiredWhileStsDown_failInsteadOfServingExpiredOnes() throws Exception {
    get();
    sts.failWith(StsServer.Failure.SERVICE_UNAVAILABLE);
    time.advance(Duration.ofMinutes(19).plusSeconds(1)); // past expiry minus margin

    assertThat(roles.credentials("acme", ROLE)).failsWithin(Duration.ofSeconds(30));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} ({1}) -> {2}")
  @org.junit.jupiter.params.provider.CsvSource({
    "InvalidIdentityToken, 400, MISCONFIGURED",
    "AccessDenied, 403, MISCONFIGURED",
    "ExpiredTokenException, 400, MISCONFIGURED",
    "IDPRejectedClaim, 403, MISCONFIGURED",
    "RegionDisabledException, 403, MISCONFIGURED",
    "Throttling, 400, THROTTLED",
    "SomethingNew, 429, THROTTLED",
    "IDPCommunicationError, 400, UNAVAILABLE",
    "InternalFailure, 500, UNAVAILABLE",
    "ServiceUnavailable, 503, UNAVAILABLE"
  })
  void classify_stsErrorCode_misconfiguredOnlyWhenTheCustomerMustAct(String code, int status, OriginException.Kind kind) {
    var error = software.amazon.awssdk.services.sts.model.StsException.builder()
        .statusCode(status)
        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorCode(code).build())
        .build();

    assertThat(RoleCredentials.classify(new java.util.concurrent.CompletionException(error)).kind()).isEqualTo(kind);
  }

  @Test
  void classify_callTimeout_isTransientTimeout() {
    var timeout = software.amazon.awssdk.core.exception.ApiCallTimeoutException.create(10_000);

    assertThat(RoleCredentials.classify(new java.util.concurrent.CompletionException(timeout)).kind())
        .isEqualTo(OriginException.Kind.TIMEOUT);
  }

  @Test
  void credentials_stsThrottlesOnTheWire_failTransientAndAreNotCached() throws Exception {
    sts.failWith(StsServer.Failure.THROTTLE);

    var failed = roles.credentials("acme", ROLE);

    assertThat(failed).failsWithin(Duration.ofSeconds(30))
        .withThrowableThat()
        .havingCause()
        .isInstanceOfSatisfying(OriginException.class, e -> assertThat(e.kind()).isEqualTo(OriginException.Kind.THROTTLED));
    sts.failWith(null);
    time.advance(Duration.ofSeconds(2)); // past the first back-off
    assertThat(get()).as("a failure is never cached as success, nor kept past its back-off").isNotNull();
  }
}
