package io.storageconnect.gateway.access;

import io.storageconnect.gateway.failure.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * Turns a request's credentials into a {@link Grant}: a platform-issued JWT verified with
 * vertx-auth-jwt against configured public keys (algorithms pinned, issuer and audience checked,
 * {@code exp} required, small leeway), or a CDN origin secret compared in constant time.
 *
 * <p>Token claims: {@code account} (platform account id), {@code assets} (array of asset ids) and
 * {@code actions} (array of {@code download}, {@code play}, {@code renditions}, {@code thumbnail}).
 * Runs on the event loop; signature checks are CPU-only and do not block.
 *
 * <p>Verified tokens are remembered (Caffeine, bounded by the tokens' total length, keyed by the
 * token's SHA-256, each entry until its own {@code exp} plus the leeway, five minutes at most), so a player's hundreds of range requests with one
 * token cost one RSA verification, not hundreds. Rejections are never remembered, and a cached
 * token past its expiry is refused without asking the cache twice.
 */
public final class ViewerAuthenticator {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ViewerAuthenticator.class);
  private final JWTAuth jwt;
  private final byte[] originSecret;
  private final String originSecretHeader;
  private final Cache<String, Verified> verified;
  private final Clock clock;
  private final long leewaySeconds;

  /**
   * A verified token's grant, good while now is before {@code notAfter} (its exp plus the leeway,
   * epoch seconds: vertx-auth-jwt refuses from that second on); {@code weight} is what it costs
   * to keep.
   */
  private record Verified(Grant grant, long notAfter, int weight) {}

  /** A remembered token is verified again after this long at the latest. */
  static final Duration REMEMBER_AT_MOST = Duration.ofMinutes(5);

  /** Entry weights (token characters) the cache may hold: tokens vary from 0.5 to 16 KiB. */
  static final long DEFAULT_CACHE_WEIGHT = 64L * 1024 * 1024;

  public ViewerAuthenticator(Vertx vertx, AuthOptions options) {
    this(vertx, options, DEFAULT_CACHE_WEIGHT, Clock.systemUTC(), Ticker.systemTicker());
  }

  /** @param cacheWeight the sum of remembered tokens' lengths (characters) the cache may hold */
  public ViewerAuthenticator(Vertx vertx, AuthOptions options, long cacheWeight, Clock clock, Ticker ticker) {
    JWTAuthOptions jwtOptions =
        new JWTAuthOptions()
            .setJWTOptions(
                new JWTOptions()
                    .setIssuer(options.issuer())
                    .setAudience(options.audiences())
                    .setLeeway(options.leewaySeconds()));
    for (AuthOptions.VerificationKey key : options.keys()) {
      jwtOptions.addPubSecKey(new PubSecKeyOptions().setAlgorithm(key.algorithm()).setBuffer(key.pem()));
    }
    this.jwt = JWTAuth.create(vertx, jwtOptions);
    this.originSecret =
        options.originSecret() == null ? null : options.originSecret().getBytes(StandardCharsets.UTF_8);
    this.originSecretHeader = options.originSecretHeader();
    this.clock = clock;
    this.leewaySeconds = options.leewaySeconds();
    this.verified =
        Caffeine.newBuilder()
            .maximumWeight(cacheWeight)
            .weigher((String key, Verified v) -> v.weight())
            .ticker(ticker)
            .expireAfter(
                Expiry.creating(
                    (String key, Verified v) ->
                        min(Duration.between(clock.instant(), java.time.Instant.ofEpochSecond(v.notAfter())), REMEMBER_AT_MOST)))
            .recordStats()
            .build();
  }

  /** The verified-token cache, for metrics (hit ratio, size): its keys are hashes, never tokens. */
  public Cache<?, ?> cache() {
    return verified;
  }

  public String originSecretHeader() {
    return originSecretHeader;
  }

  /**
   * Authenticates one request.
   *
   * @param bearer the token from {@code Authorization: Bearer} or {@code ?token=}, or {@code null}
   * @param presentedOriginSecret the origin-secret header value, or {@code null}
   */
  public Future<Grant> authenticate(String bearer, String presentedOriginSecret) {
    if (presentedOriginSecret != null && originSecret != null) {
      byte[] presented = presentedOriginSecret.getBytes(StandardCharsets.UTF_8);
      // MessageDigest.isEqual is constant-time for equal lengths (JDK 6u17+).
      return MessageDigest.isEqual(presented, originSecret)
          ? Future.succeededFuture(Grant.forOriginPull())
          : Future.failedFuture(GatewayException.unauthorized("The origin secret is not valid."));
    }
    if (bearer == null || bearer.isBlank()) {
      return Future.failedFuture(
          GatewayException.unauthorized("A token is required (Authorization: Bearer, or ?token=)."));
    }
    String key = fingerprint(bearer);
    Verified known = verified.getIfPresent(key);
    if (known != null) {
      if (clock.instant().getEpochSecond() < known.notAfter()) {
        return Future.succeededFuture(known.grant());
      }
      verified.invalidate(key);
      return Future.failedFuture(GatewayException.unauthorized("The token is not valid or has expired."));
    }
    Future<io.vertx.ext.auth.User> checked;
    try {
      checked = jwt.authenticate(new TokenCredentials(bearer));
    } catch (RuntimeException e) {
      // A validly signed token with malformed claims (a non-numeric exp, say) makes
      // vertx-auth-jwt throw instead of failing the future.
      checked = Future.failedFuture(e);
    }
    return checked
        .recover(
            e -> {
              // vertx-auth-jwt's messages name the failed check (issuer, audience, expiry,
              // signature), never the token.
              log.debug("token rejected: {}", e.getMessage());
              return Future.failedFuture(GatewayException.unauthorized("The token is not valid or has expired."));
            })
        .map(
            user -> {
              JsonObject claims = claims(user);
              Grant grant = toGrant(claims);
              long notAfter = claims.getLong("exp") + leewaySeconds;
              // vertx-auth-jwt checked exp on its own clock; the cache works on this one.
              if (clock.instant().getEpochSecond() >= notAfter) {
                throw GatewayException.unauthorized("The token is not valid or has expired.");
              }
              verified.put(key, new Verified(grant, notAfter, bearer.length()));
              return grant;
            });
  }

  private static Duration min(Duration a, Duration b) {
    Duration m = a.compareTo(b) < 0 ? a : b;
    return m.isNegative() ? Duration.ZERO : m;
  }

  /** The cache key: a token's SHA-256, so the cache holds no usable token. */
  private static String fingerprint(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** vertx-auth-jwt keeps the verified payload in the user's attributes under "accessToken". */
  private static JsonObject claims(io.vertx.ext.auth.User user) {
    JsonObject payload = user.attributes().getJsonObject("accessToken");
    return payload != null ? payload : user.principal();
  }

  private static Grant toGrant(JsonObject claims) {
    if (!(claims.getValue("exp") instanceof Number)) {
      throw GatewayException.unauthorized("The token has no expiry.");
    }
    Object account = claims.getValue("account");
    if (!(account instanceof String accountId) || accountId.isEmpty()) {
      throw GatewayException.unauthorized("The token names no account.");
    }
    Set<String> assets = new HashSet<>();
    if (claims.getValue("assets") instanceof JsonArray array) {
      for (Object a : array) {
        if (a instanceof String s) {
          assets.add(s);
        }
      }
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    if (claims.getValue("actions") instanceof JsonArray array) {
      for (Object a : array) {
        if (a instanceof String s) {
          Action.parse(s).ifPresent(actions::add);
        }
      }
    }
    String subject = claims.getValue("sub") instanceof String s ? s : "";
    return new Grant(subject, accountId, assets, actions, false);
  }
}
