package io.storageconnect.gateway.access;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.failure.OriginException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Temporary credentials for customers' roles, by {@code AssumeRoleWithWebIdentity} with a web
 * identity token freshly minted for each call. One Caffeine cache entry per (account, role ARN):
 * concurrent first requests share one STS call; credentials are refreshed in the background once
 * closer than {@link StsOptions#refreshAhead()} to expiry, and a request never waits for that
 * while its credentials are valid; while STS is down, valid credentials keep serving.
 *
 * <p>Failures are classified ({@link Kind#MISCONFIGURED} when the customer must act) and
 * remembered for a doubling back-off, so a misconfigured account cannot flood STS; they are
 * never cached as success. Called on event loops; never blocks.
 */
public final class RoleCredentials implements io.storageconnect.gateway.origin.RoleCredentialSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RoleCredentials.class);
  /** STS error codes that mean the role, its trust policy or our issuer set-up must be fixed. */
  static final Set<String> MISCONFIGURED =
      Set.of("InvalidIdentityToken", "AccessDenied", "ExpiredTokenException", "IDPRejectedClaim", "ValidationError",
          "MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabledException");
  static final Set<String> THROTTLED = Set.of("Throttling", "ThrottlingException", "RequestLimitExceeded");

  private record Key(String accountId, String roleArn) {}

  private record Failure(OriginException error, int attempts, Instant retryAt) {}

  private final OidcIssuer issuer;
  private final StsOptions options;
  private final Clock clock;
  private final StsAsyncClient sts;
  private final AsyncCache<Key, AwsSessionCredentials> cache;
  private final ConcurrentMap<Key, Failure> failures = new ConcurrentHashMap<>();
  /** The cache's statistics: a hit is counted by the peek in credentials(), a miss by its load. */
  private final com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter stats =
      new com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter();
  private final ConcurrentMap<Key, Boolean> refreshing = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  /** When each role's current credentials were issued (for their age in metrics). */
  private final ConcurrentMap<Key, Instant> issued = new ConcurrentHashMap<>();
  private final CallObserver observer;

  /** Told of every AssumeRoleWithWebIdentity call when it is over; must not block. */
  @FunctionalInterface
  public interface CallObserver {
    /** @param result {@code ok}, or the STS error code (or {@code timeout}, {@code unreachable}) */
    void called(String accountId, String result);

    CallObserver NONE = (accountId, result) -> {};
  }

  /**
   * @param http the SDK HTTP client shared with the S3 clients (not closed here)
   * @param minimumValidity credentials are dropped from the cache this long before they expire
   *     (no signature may be made with credentials about to expire)
   */
  public RoleCredentials(
      OidcIssuer issuer, StsOptions options, SdkAsyncHttpClient http, Clock clock, Ticker ticker, Duration minimumValidity) {
    this(issuer, options, http, clock, ticker, minimumValidity, CallObserver.NONE);
  }

  /** @param observer told of every STS call (metrics) */
  public RoleCredentials(
      OidcIssuer issuer, StsOptions options, SdkAsyncHttpClient http, Clock clock, Ticker ticker, Duration minimumValidity,
      CallObserver observer) {
    this.observer = observer;
    this.issuer = issuer;
    this.options = options;
    this.clock = clock;
    var builder =
        StsAsyncClient.builder()
            .httpClient(http)
            .region(Region.of(options.region()))
            // AssumeRoleWithWebIdentity is unsigned: the web identity token is the credential.
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .overrideConfiguration(o -> o.apiCallTimeout(options.callTimeout()));
    if (options.endpoint() != null) {
      builder.endpointOverride(options.endpoint());
    }
    this.sts = builder.build();
    this.cache =
        Caffeine.newBuilder()
            .ticker(ticker)
            .expireAfter(
                new Expiry<Key, AwsSessionCredentials>() {
                  // From the credentials themselves, on creation and on every refresh: a refreshed
                  // entry lives as long as its new credentials, not its old ones.
                  @Override
                  public long expireAfterCreate(Key key, AwsSessionCredentials credentials, long now) {
                    return untilExpiry(credentials);
                  }

                  @Override
                  public long expireAfterUpdate(Key key, AwsSessionCredentials credentials, long now, long current) {
                    return untilExpiry(credentials);
                  }

                  @Override
                  public long expireAfterRead(Key key, AwsSessionCredentials credentials, long now, long current) {
                    return current;
                  }

                  private long untilExpiry(AwsSessionCredentials credentials) {
                    Duration left = Duration.between(clock.instant(), expiration(credentials)).minus(minimumValidity);
                    return left.isNegative() ? 0 : saturatedNanos(left);
                  }
                })
            .recordStats(() -> stats)
            .buildAsync();
  }

  /** The credentials cache, for metrics (hit ratio, size). */
  public com.github.benmanes.caffeine.cache.Cache<?, ?> cache() {
    return cache.synchronous();
  }

  /**
   * One role's credentials, for metrics: never the credentials themselves.
   *
   * @param issued when the cached credentials were issued, if any are cached
   */
  public record Held(String accountId, String state, Optional<Instant> issued, Optional<Instant> expires) {}

  /** Every role the gateway holds credentials or a failure for. */
  public java.util.List<Held> held() {
    java.util.Set<Key> keys = new java.util.HashSet<>(cache.asMap().keySet());
    keys.addAll(failures.keySet());
    java.util.List<Held> out = new java.util.ArrayList<>();
    for (Key key : keys) {
      Status status = status(key.accountId(), key.roleArn());
      out.add(new Held(key.accountId(), status.state(), status.expires().map(e -> issued.get(key)), status.expires()));
    }
    return out;
  }

  /** STS calls made so far (for tests and metrics). */
  public int stsCalls() {
    return calls.get();
  }

  /** Credentials for this account's role; completes at once when valid ones are cached. */
  @Override
  public CompletableFuture<AwsSessionCredentials> credentials(String accountId, String roleArn) {
    Key key = new Key(accountId, roleArn);
    CompletableFuture<AwsSessionCredentials> cached = cache.asMap().get(key); // peeks without counting
    if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
      stats.recordHits(1);
      AwsSessionCredentials current = cached.join(); // done: does not wait
      if (Duration.between(clock.instant(), expiration(current)).compareTo(options.refreshAhead()) < 0) {
        refreshInBackground(key);
      }
      return cached;
    }
    if (cached == null) {
      Failure failure = failures.get(key);
      if (failure != null && clock.instant().isBefore(failure.retryAt())) {
        return CompletableFuture.failedFuture(failure.error());
      }
    }
    return cache.get(key, (k, executor) -> assume(k));
  }

  /**
   * Asks STS now, bypassing the cache and the back-off (the admin preflight); fresh credentials
   * replace cached ones.
   */
  public CompletableFuture<AwsSessionCredentials> assumeNow(String accountId, String roleArn) {
    Key key = new Key(accountId, roleArn);
    failures.remove(key);
    return assume(key).thenApply(fresh -> {
      cache.put(key, CompletableFuture.completedFuture(fresh));
      return fresh;
    });
  }

  /**
   * What is known about an account's role credentials, for health details: never the credentials.
   *
   * @param state {@code valid}, {@code failing} (the last STS call failed; see {@code lastError})
   *     or {@code none} (not assumed yet)
   * @param expires when the cached credentials expire, if any
   * @param lastError the class of the last STS failure: {@code misconfigured} or {@code transient}
   * @param retryAt when STS is asked again after that failure
   */
  public record Status(String state, Optional<Instant> expires, Optional<String> lastError, Optional<Instant> retryAt) {}

  public Status status(String accountId, String roleArn) {
    Key key = new Key(accountId, roleArn);
    CompletableFuture<AwsSessionCredentials> cached = cache.asMap().get(key); // a look for health and metrics: not a lookup
    Optional<Instant> expires =
        cached != null && cached.isDone() && !cached.isCompletedExceptionally()
            ? Optional.of(expiration(cached.join())) // done: does not wait
            : Optional.empty();
    Failure failure = failures.get(key);
    Optional<String> lastError =
        failure == null
            ? Optional.empty()
            : Optional.of(failure.error().kind() == OriginException.Kind.MISCONFIGURED ? "misconfigured" : "transient");
    String state = failure != null ? "failing" : expires.isPresent() ? "valid" : "none";
    return new Status(state, expires, lastError, Optional.ofNullable(failure).map(Failure::retryAt));
  }

  /** Drops what is known about an account's role (its connection changed). */
  public void forget(String accountId, String roleArn) {
    Key key = new Key(accountId, roleArn);
    cache.synchronous().invalidate(key);
    failures.remove(key);
    issued.remove(key);
  }

  private void refreshInBackground(Key key) {
    Failure failure = failures.get(key);
    if (failure != null && clock.instant().isBefore(failure.retryAt())) {
      return;
    }
    if (refreshing.putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    assume(key)
        .whenComplete(
            (fresh, error) -> {
              refreshing.remove(key);
              if (fresh != null) {
                cache.put(key, CompletableFuture.completedFuture(fresh));
              }
              // On failure the current credentials stay until they expire; the failure is
              // remembered with its back-off by assume().
            });
  }

  private CompletableFuture<AwsSessionCredentials> assume(Key key) {
    calls.incrementAndGet();
    String token = issuer.mint(key.accountId());
    return sts.assumeRoleWithWebIdentity(
            r ->
                r.roleArn(key.roleArn())
                    .roleSessionName(sessionName(options.instanceName(), key.accountId()))
                    .webIdentityToken(token)
                    .durationSeconds((int) options.sessionDuration().toSeconds()))
        .handle(
            (response, error) -> {
              if (error != null) {
                OriginException classified = classify(error);
                Failure previous = failures.get(key);
                int attempts = previous == null ? 1 : previous.attempts() + 1;
                Duration backoff = backoff(attempts);
                failures.put(key, new Failure(classified, attempts, clock.instant().plus(backoff)));
                log.warn(
                    "AssumeRoleWithWebIdentity failed for account {}: {} (attempt {}, next try in {} s)",
                    key.accountId(), describe(error), attempts, backoff.toSeconds());
                observer.called(key.accountId(), resultOf(error));
                throw new CompletionException(classified);
              }
              failures.remove(key);
              issued.put(key, clock.instant());
              observer.called(key.accountId(), "ok");
              var c = response.credentials();
              return AwsSessionCredentials.builder()
                  .accessKeyId(c.accessKeyId())
                  .secretAccessKey(c.secretAccessKey())
                  .sessionToken(c.sessionToken())
                  .expirationTime(c.expiration())
                  .build();
            });
  }

  Duration backoff(int attempts) {
    long factor = 1L << Math.min(20, attempts - 1);
    Duration d = options.initialBackoff().multipliedBy(factor);
    return d.compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : d;
  }

  static OriginException classify(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof StsException sts) {
      String code = sts.awsErrorDetails() == null ? null : sts.awsErrorDetails().errorCode();
      if (code != null && MISCONFIGURED.contains(code)) {
        return new OriginException(Kind.MISCONFIGURED, e);
      }
      if ((code != null && THROTTLED.contains(code)) || sts.statusCode() == 429) {
        return new OriginException(Kind.THROTTLED, e);
      }
      return new OriginException(Kind.UNAVAILABLE, e);
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.util.concurrent.TimeoutException
          || c instanceof software.amazon.awssdk.core.exception.ApiCallTimeoutException
          || c instanceof io.netty.handler.timeout.ReadTimeoutException) {
        return new OriginException(Kind.TIMEOUT, e);
      }
    }
    return new OriginException(Kind.UNAVAILABLE, e);
  }

  /** A bounded result for metrics: the STS error code when it is a known one, else the class. */
  static String resultOf(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof StsException sts && sts.awsErrorDetails() != null) {
      String code = sts.awsErrorDetails().errorCode();
      if (code != null && (MISCONFIGURED.contains(code) || THROTTLED.contains(code))) {
        return code;
      }
      return "http_" + sts.statusCode() / 100 + "xx";
    }
    return classify(error).kind() == Kind.TIMEOUT ? "timeout" : "unreachable";
  }

  /** Log-safe: the STS error code and request id, never the token or credentials. */
  private static String describe(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof StsException sts) {
      return "StsException[status=" + sts.statusCode() + ", code="
          + (sts.awsErrorDetails() == null ? null : sts.awsErrorDetails().errorCode()) + ", requestId=" + sts.requestId() + "]";
    }
    return e.getClass().getSimpleName();
  }

  /**
   * The role session name customers see in CloudTrail: which gateway instance assumed the role
   * for which platform account. AWS allows 2-64 of {@code [\w+=,.@-]}.
   */
  @Override
  public String sessionName(String accountId) {
    return sessionName(options.instanceName(), accountId);
  }

  static String sessionName(String instance, String accountId) {
    // The account comes first, whole unless longer than 59 characters; the
    // instance fills what room is left.
    String account = ("scgw." + accountId).replaceAll("[^\\w+=,.@-]", "-");
    if (account.length() >= 64) {
      return account.substring(0, 64);
    }
    String full = account + "." + instance.replaceAll("[^\\w+=,.@-]", "-");
    return full.length() > 64 ? full.substring(0, 64) : full;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static Instant expiration(AwsSessionCredentials credentials) {
    return credentials.expirationTime().orElse(Instant.MAX);
  }

  @Override
  public void close() {
    sts.close();
  }
}
