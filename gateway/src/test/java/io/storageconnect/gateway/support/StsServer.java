package io.storageconnect.gateway.support;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback AWS STS that answers {@code AssumeRoleWithWebIdentity} by AWS's documented rules,
 * in STS's XML format, handing out the credentials it was started with (S3Proxy's keys, so
 * they work there) with a random session token and a chosen expiry.
 *
 * <p>Like IAM, it fetches the token issuer's discovery document and JWKS over HTTP and checks
 * the token itself: {@code alg} RS256, a {@code kid} found in the JWKS, the RS256 signature,
 * {@code iss} equal character for character to an OIDC provider of the role's account,
 * {@code exp} in the future, {@code iat} and {@code jti} present; then the role's trust
 * conditions on {@code aud} and {@code sub}. Checks run in this order, each answered with
 * AWS's error code and status:
 * <pre>
 *   failWith (THROTTLE 400 Throttling, INTERNAL_ERROR 500 InternalFailure,
 *             SERVICE_UNAVAILABLE 503 ServiceUnavailable, BLACKHOLE no answer)
 *   Action / Version ............................ 400 InvalidAction
 *   RoleArn, RoleSessionName, WebIdentityToken .. 400 MissingParameter
 *   RoleArn syntax, RoleSessionName [\w+=,.@-]{2,64}, token length,
 *   DurationSeconds 900..43200 and the role's maximum ..... 400 ValidationError
 *   JWT shape, alg RS256, kid, iss a provider of the account . 400 InvalidIdentityToken
 *   discovery / JWKS unreachable or not 200 ............... 400 IDPCommunicationError
 *   discovery issuer != iss, unknown kid (after one refetch), bad signature,
 *   iat / jti / sub / aud missing ......................... 400 InvalidIdentityToken
 *   exp not in the future ................................. 400 ExpiredTokenException
 *   unknown role, or no trust statement of the role matching iss, aud and sub
 *                                                           403 AccessDenied
 * </pre>
 *
 * <p>The OIDC providers of an AWS account are the issuers that the account's roles trust
 * (through {@link #trust}); as in IAM, a token whose {@code iss} names none of them is an
 * {@code InvalidIdentityToken} ("No OpenIDConnect provider found in your account"), before
 * any role is looked at. Each issuer's JWKS is cached for the life of the server and
 * refetched (with the discovery document) when a token names a {@code kid} it does not hold,
 * which is how key rotation is picked up; a failed fetch is not cached.
 *
 * <p>Threads: requests are handled on the server's Vert.x event loop and nothing there
 * blocks: discovery and JWKS come through a non-blocking {@link WebClient}, signatures are
 * checked with the JDK (CPU only). Configuration, failure mode and counters may be used from
 * any thread, e.g. the test thread, while requests are in flight.
 *
 * <p>Limits: plain HTTP only (IAM requires https issuers; the loopback IdP of a test has
 * none), RS256 only (IAM also accepts RS384/RS512/ES*), one audience per trust statement
 * (IAM would first check {@code aud} against the provider's client-ID list and answer
 * {@code InvalidIdentityToken "Incorrect token audience"}; here a wrong {@code aud} fails the
 * trust condition with {@code AccessDenied}). Session policies, tags and {@code ProviderId}
 * are ignored.
 */
public final class StsServer implements AutoCloseable {

  /** What {@link #failWith} makes the server do instead of its normal answer. */
  public enum Failure { THROTTLE, INTERNAL_ERROR, SERVICE_UNAVAILABLE, BLACKHOLE }

  static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
  static final String ACCESS_DENIED_MESSAGE = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

  private static final String ACTION = "AssumeRoleWithWebIdentity";
  private static final String VERSION = "2011-06-15";
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
  /** IAM role ARN: partition, 12-digit account, optional path, role name (IAM's character set). */
  private static final Pattern ROLE_ARN = Pattern.compile(
      "arn:(aws|aws-cn|aws-us-gov):iam::(\\d{12}):role/(?:[\\x21-\\x7E]*/)?([\\w+=,.@-]{1,64})");
  private static final int MIN_DURATION = 900;
  private static final int MAX_DURATION = 43_200;
  private static final Duration DEFAULT_MAX_SESSION = Duration.ofHours(1);
  /** IAM's bounds for a role's MaxSessionDuration. */
  private static final Duration MIN_MAX_SESSION = Duration.ofHours(1);
  private static final Duration MAX_MAX_SESSION = Duration.ofHours(12);
  /** How long the IdP may take per fetch before it counts as unreachable. */
  private static final int IDP_TIMEOUT_MS = 5_000;
  private static final String IDP_ERROR_MESSAGE = "Couldn't retrieve verification key from your identity"
      + " provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

  private final String accessKeyId;
  private final String secretAccessKey;
  private final Clock clock;
  private final HttpServer server;
  private final WebClient idp;
  private final SecureRandom random = new SecureRandom();

  /** Role ARN to its trust statements; a statement added later never replaces one. */
  private final Map<String, List<Trust>> trust = new ConcurrentHashMap<>();
  private final Map<String, Duration> maxSessions = new ConcurrentHashMap<>();
  /** Issuer URL to its verification keys by kid; an entry is removed when its fetch fails. */
  private final Map<String, Future<Map<String, RSAPublicKey>>> keys = new ConcurrentHashMap<>();

  private volatile Duration credentialLifetime;
  private volatile Failure failure;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger blackholed = new AtomicInteger();
  private final List<String> sessionNames = new CopyOnWriteArrayList<>();
  private final List<JsonObject> tokenClaims = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile int port = -1;

  private StsServer(Vertx vertx, String accessKeyId, String secretAccessKey, Clock clock) {
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.clock = clock;
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(this::handle);
    this.idp = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout(IDP_TIMEOUT_MS)
        // A fresh connection per fetch: a test IdP that restarts never meets a stale one.
        .setKeepAlive(false)
        .setFollowRedirects(false));
  }

  /**
   * Starts on an ephemeral port of 127.0.0.1, on the system clock; the future completes once
   * it listens. {@code accessKeyId} and {@code secretAccessKey} are what every successful call
   * hands out.
   */
  public static Future<StsServer> start(Vertx vertx, String accessKeyId, String secretAccessKey) {
    return start(vertx, accessKeyId, secretAccessKey, Clock.systemUTC());
  }

  /**
   * As {@link #start(Vertx, String, String)}, with {@code clock} deciding whether a token has
   * expired and when issued credentials expire: for tests that drive the gateway's time.
   */
  public static Future<StsServer> start(Vertx vertx, String accessKeyId, String secretAccessKey, Clock clock) {
    Objects.requireNonNull(vertx, "vertx");
    requireText(accessKeyId, "accessKeyId");
    requireText(secretAccessKey, "secretAccessKey");
    Objects.requireNonNull(clock, "clock");
    StsServer sts = new StsServer(vertx, accessKeyId, secretAccessKey, clock);
    return sts.server.listen()
        .map(listening -> {
          sts.port = listening.actualPort();
          return sts;
        })
        .onFailure(err -> sts.idp.close());
  }

  /** {@code http://127.0.0.1:<port>}, the STS client's endpoint override. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /**
   * The role trusts the OIDC provider for {@code issuerUrl} with the conditions
   * {@code <issuer host+path>:aud == audience} and {@code :sub == subject}; this also makes
   * {@code issuerUrl} an OIDC provider of the role's AWS account. Statements add up: a role
   * may trust several subjects or issuers.
   */
  public StsServer trust(String roleArn, String issuerUrl, String audience, String subject) {
    requireRoleArn(roleArn);
    requireText(issuerUrl, "issuerUrl");
    try {
      URI uri = new URI(issuerUrl);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("issuerUrl: " + issuerUrl + " (expected: an absolute http(s) URL)");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("issuerUrl: " + issuerUrl + " (expected: an absolute http(s) URL)", e);
    }
    requireText(audience, "audience");
    requireText(subject, "subject");
    trust.computeIfAbsent(roleArn, arn -> new CopyOnWriteArrayList<>())
        .add(new Trust(issuerUrl, audience, subject));
    return this;
  }

  /** The role's MaxSessionDuration, 1 to 12 hours as in IAM; 1 hour unless set. */
  public StsServer maxSessionDuration(String roleArn, Duration max) {
    requireRoleArn(roleArn);
    Objects.requireNonNull(max, "max");
    if (max.compareTo(MIN_MAX_SESSION) < 0 || max.compareTo(MAX_MAX_SESSION) > 0 || max.toNanos() % 1_000_000_000L != 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: whole seconds, PT1H to PT12H)");
    }
    maxSessions.put(roleArn, max);
    return this;
  }

  /**
   * Issued credentials expire {@code lifetime} after the call instead of after the requested
   * {@code DurationSeconds}; {@code null} restores the latter. Lets tests get short-lived
   * credentials without asking for less than STS's 900-second minimum.
   */
  public void credentialLifetime(Duration lifetime) {
    if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
      throw new IllegalArgumentException("lifetime: " + lifetime + " (expected: > 0, or null)");
    }
    this.credentialLifetime = lifetime;
  }

  /** From the next request on, fail every request this way; {@code null} for normal answers. */
  public void failWith(Failure failure) {
    this.failure = failure;
  }

  /** Requests received, whatever their outcome (failWith, rejection, success, blackhole). */
  public int calls() {
    return calls.get();
  }

  /** Requests accepted and never answered ({@link Failure#BLACKHOLE}). */
  public int blackholed() {
    return blackholed.get();
  }

  /** Requests answered with credentials. */
  public int issued() {
    return issued.get();
  }

  /** The {@code RoleSessionName} of each successful call, in order. */
  public List<String> sessionNames() {
    return List.copyOf(sessionNames);
  }

  /** The verified claims of each successful call's token, in order (copies). */
  public List<JsonObject> tokenClaims() {
    List<JsonObject> out = new ArrayList<>(tokenClaims.size());
    for (JsonObject claims : tokenClaims) {
      out.add(claims.copy());
    }
    return out;
  }

  /** Zeroes {@link #calls()} and {@link #issued()} and empties the lists; trust and keys stay. */
  public void reset() {
    calls.set(0);
    issued.set(0);
    sessionNames.clear();
    tokenClaims.clear();
  }

  /**
   * Stops listening, closes open connections (blackholed requests included) and the IdP
   * client; returns at once and may be called more than once.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.close();
      idp.close();
    }
  }

  // --- request handling ---------------------------------------------------------------

  private void handle(HttpServerRequest req) {
    req.body().onComplete(body -> {
      calls.incrementAndGet();
      if (body.failed()) {
        req.connection().close();
        return;
      }
      Failure mode = failure;
      if (mode != null) {
        switch (mode) {
          case THROTTLE -> answer(req, new StsError(400, "Sender", "Throttling", "Rate exceeded"));
          case INTERNAL_ERROR -> answer(req, new StsError(500, "Receiver", "InternalFailure",
              "The request processing has failed because of an unknown error, exception or failure."));
          case SERVICE_UNAVAILABLE -> answer(req, new StsError(503, "Receiver", "ServiceUnavailable",
              "The request has failed due to a temporary failure of the server."));
          case BLACKHOLE -> blackholed.incrementAndGet(); // accepted, never answered: the client's timeout decides
          default -> throw new AssertionError(mode);
        }
        return;
      }
      Future<Issued> outcome;
      try {
        outcome = assume(parameters(req, body.result()));
      } catch (RuntimeException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(ar -> {
        if (ar.succeeded()) {
          answer(req, ar.result());
        } else if (ar.cause() instanceof StsError error) {
          answer(req, error);
        } else {
          // A bug here, not a rule: say so on the wire as STS would, with the cause.
          answer(req, new StsError(500, "Receiver", "InternalFailure", "StsServer: " + ar.cause()));
        }
      });
    });
  }

  /** Query-string and form parameters together, as AWS's Query API accepts both. */
  private static Map<String, String> parameters(HttpServerRequest req, Buffer body) {
    Map<String, String> params = new HashMap<>();
    new QueryStringDecoder(req.uri()).parameters().forEach((name, values) -> params.put(name, values.get(0)));
    if (body.length() > 0) {
      new QueryStringDecoder(body.toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
          .parameters().forEach((name, values) -> params.put(name, values.get(0)));
    }
    return params;
  }

  /** The synchronous rules throw {@link StsError}; the token's verification is asynchronous. */
  private Future<Issued> assume(Map<String, String> params) {
    String action = params.get("Action");
    String version = params.get("Version");
    if (!ACTION.equals(action) || !VERSION.equals(version)) {
      throw sender("InvalidAction", "Could not find operation " + action + " for version " + version);
    }
    String roleArn = required(params, "RoleArn");
    String sessionName = required(params, "RoleSessionName");
    String token = required(params, "WebIdentityToken");

    if (roleArn.length() < 20 || roleArn.length() > 2048) {
      throw validation("Value '" + roleArn + "' at 'roleArn' failed to satisfy constraint: Member must have"
          + " length " + (roleArn.length() < 20 ? "greater than or equal to 20" : "less than or equal to 2048"));
    }
    Matcher arn = ROLE_ARN.matcher(roleArn);
    if (!arn.matches()) {
      throw sender("ValidationError", "Request ARN is invalid");
    }
    if (!SESSION_NAME.matcher(sessionName).matches()) {
      throw validation("Value '" + sessionName + "' at 'roleSessionName' failed to satisfy constraint:"
          + (sessionName.length() < 2 || sessionName.length() > 64
              ? " Member must have length " + (sessionName.length() < 2 ? "greater than or equal to 2" : "less than or equal to 64")
              : " Member must satisfy regular expression pattern: [\\w+=,.@-]*"));
    }
    if (token.length() < 4 || token.length() > 20_000) {
      throw validation("Value at 'webIdentityToken' failed to satisfy constraint: Member must have length "
          + (token.length() < 4 ? "greater than or equal to 4" : "less than or equal to 20000"));
    }
    int duration = duration(params.get("DurationSeconds"));
    if (duration > maxSessions.getOrDefault(roleArn, DEFAULT_MAX_SESSION).toSeconds()) {
      throw sender("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }

    Jwt jwt = Jwt.parse(token);
    String iss = jwt.claims().getValue("iss") instanceof String s ? s : null;
    if (iss == null) {
      throw invalidToken("Missing issuer claim in the token.");
    }
    String account = arn.group(2);
    if (!providersOf(account).contains(iss)) {
      // Exact match, as IAM: "https://idp/" is not the provider "https://idp".
      throw invalidToken("No OpenIDConnect provider found in your account for " + iss);
    }
    return verificationKey(iss, jwt.kid())
        .map(key -> {
          jwt.verify(key);
          Instant now = clock.instant();
          checkClaims(jwt.claims(), now);
          Trust granted = trustFor(roleArn, iss, jwt.claims());
          return issue(arn, roleArn, sessionName, duration, granted, jwt.claims(), now);
        });
  }

  private static String required(Map<String, String> params, String name) {
    String value = params.get(name);
    if (value == null || value.isEmpty()) {
      throw sender("MissingParameter", "The request must contain the parameter " + name);
    }
    return value;
  }

  private static int duration(String value) {
    if (value == null) {
      return 3600; // STS's default
    }
    long seconds;
    try {
      seconds = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw validation("Value '" + value + "' at 'durationSeconds' failed to satisfy constraint: Member must be an integer");
    }
    if (seconds < MIN_DURATION) {
      throw validation("Value '" + value + "' at 'durationSeconds' failed to satisfy constraint:"
          + " Member must have value greater than or equal to " + MIN_DURATION);
    }
    if (seconds > MAX_DURATION) {
      throw validation("Value '" + value + "' at 'durationSeconds' failed to satisfy constraint:"
          + " Member must have value less than or equal to " + MAX_DURATION);
    }
    return (int) seconds;
  }

  private List<String> providersOf(String account) {
    List<String> providers = new ArrayList<>();
    trust.forEach((roleArn, statements) -> {
      Matcher m = ROLE_ARN.matcher(roleArn);
      if (m.matches() && m.group(2).equals(account)) {
        statements.forEach(t -> providers.add(t.issuer()));
      }
    });
    return providers;
  }

  /** {@code exp} in the future (no skew), {@code iat}, {@code jti}, {@code sub}, {@code aud} present. */
  private static void checkClaims(JsonObject claims, Instant now) {
    if (!(claims.getValue("exp") instanceof Number exp)) {
      throw invalidToken("Missing exp claim in the token.");
    }
    long nowSeconds = now.getEpochSecond();
    if (exp.longValue() <= nowSeconds) {
      throw sender("ExpiredTokenException", "Token expired: current date/time " + nowSeconds
          + " must be before the expiration date/time " + exp.longValue());
    }
    if (!(claims.getValue("iat") instanceof Number)) {
      throw invalidToken("Missing iat claim in the token.");
    }
    if (!(claims.getValue("jti") instanceof String jti) || jti.isEmpty()) {
      throw invalidToken("Missing jti claim in the token.");
    }
    if (!(claims.getValue("sub") instanceof String sub) || sub.isEmpty()) {
      throw invalidToken("Missing sub claim in the token.");
    }
    Object aud = claims.getValue("aud");
    if (!(aud instanceof String || aud instanceof JsonArray array && !array.isEmpty())) {
      throw invalidToken("Missing aud claim in the token.");
    }
  }

  /** The role's trust policy: some statement must name this issuer, audience and subject. */
  private Trust trustFor(String roleArn, String iss, JsonObject claims) {
    Object aud = claims.getValue("aud");
    String sub = claims.getString("sub");
    for (Trust t : trust.getOrDefault(roleArn, List.of())) {
      boolean audMatches = aud instanceof String s ? s.equals(t.audience())
          : ((JsonArray) aud).contains(t.audience());
      if (t.issuer().equals(iss) && audMatches && t.subject().equals(sub)) {
        return t;
      }
    }
    throw new StsError(403, "Sender", "AccessDenied", ACCESS_DENIED_MESSAGE);
  }

  private Issued issue(Matcher arn, String roleArn, String sessionName, int durationSeconds, Trust granted,
      JsonObject claims, Instant now) {
    Duration lifetime = credentialLifetime;
    Instant expiration = now.plus(lifetime != null ? lifetime : Duration.ofSeconds(durationSeconds));
    byte[] token = new byte[96];
    random.nextBytes(token);
    String partition = arn.group(1);
    String account = arn.group(2);
    String roleName = arn.group(3);
    String hostAndPath = granted.issuer().replaceFirst("^https?://", "");
    Issued issued = new Issued(
        accessKeyId,
        secretAccessKey,
        // Standard base64 as AWS's tokens: '+', '/' and '=' exercise the clients' encoding.
        Base64.getEncoder().encodeToString(token),
        expiration.truncatedTo(ChronoUnit.SECONDS),
        claims.getString("sub"),
        "arn:" + partition + ":sts::" + account + ":assumed-role/" + roleName + "/" + sessionName,
        "AROA" + randomId(17) + ":" + sessionName,
        "arn:" + partition + ":iam::" + account + ":oidc-provider/" + hostAndPath,
        granted.audience());
    sessionNames.add(sessionName);
    tokenClaims.add(claims.copy());
    this.issued.incrementAndGet();
    return issued;
  }

  private String randomId(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  // --- the identity provider -------------------------------------------------------------

  /** The key for {@code kid}: from the cache, else after one refetch (key rotation). */
  private Future<RSAPublicKey> verificationKey(String iss, String kid) {
    return jwks(iss, false).compose(cached -> {
      RSAPublicKey key = cached.get(kid);
      if (key != null) {
        return Future.succeededFuture(key);
      }
      return jwks(iss, true).compose(fresh -> {
        RSAPublicKey rotated = fresh.get(kid);
        return rotated != null ? Future.succeededFuture(rotated)
            : Future.failedFuture(invalidToken("No key with kid '" + kid + "' in the JWKS of " + iss));
      });
    });
  }

  /**
   * The issuer's keys, fetched at most once at a time per issuer unless {@code refetch}; a
   * failed fetch leaves no entry behind, so the next token tries again.
   */
  private Future<Map<String, RSAPublicKey>> jwks(String iss, boolean refetch) {
    Promise<Map<String, RSAPublicKey>> fetch = Promise.promise();
    if (refetch) {
      keys.put(iss, fetch.future());
    } else {
      Future<Map<String, RSAPublicKey>> existing = keys.putIfAbsent(iss, fetch.future());
      if (existing != null) {
        return existing;
      }
    }
    fetchJwks(iss).onComplete(ar -> {
      if (ar.failed()) {
        keys.remove(iss, fetch.future());
      }
      fetch.handle(ar);
    });
    return fetch.future();
  }

  /** Discovery first; its {@code issuer} must be {@code iss} exactly; then its {@code jwks_uri}. */
  private Future<Map<String, RSAPublicKey>> fetchJwks(String iss) {
    return fetchJson(iss + "/.well-known/openid-configuration")
        .compose(discovery -> {
          if (!iss.equals(discovery.getValue("issuer"))) {
            return Future.failedFuture(invalidToken("The issuer " + discovery.getValue("issuer")
                + " in the discovery document of " + iss + " does not match the token's iss claim"));
          }
          if (!(discovery.getValue("jwks_uri") instanceof String jwksUri)) {
            return Future.failedFuture(sender("IDPCommunicationError", IDP_ERROR_MESSAGE));
          }
          return fetchJson(jwksUri);
        })
        .map(StsServer::rsaKeys);
  }

  private Future<JsonObject> fetchJson(String url) {
    Future<HttpResponse<Buffer>> response;
    try {
      response = idp.getAbs(url).timeout(IDP_TIMEOUT_MS).send();
    } catch (RuntimeException e) {
      return Future.failedFuture(sender("IDPCommunicationError", IDP_ERROR_MESSAGE));
    }
    return response.transform(ar -> {
      if (ar.failed() || ar.result().statusCode() != 200) {
        return Future.failedFuture(sender("IDPCommunicationError", IDP_ERROR_MESSAGE));
      }
      try {
        Buffer body = ar.result().body();
        return Future.succeededFuture(new JsonObject(body == null ? Buffer.buffer() : body));
      } catch (DecodeException | ClassCastException e) {
        return Future.failedFuture(sender("IDPCommunicationError", IDP_ERROR_MESSAGE));
      }
    });
  }

  /** RSA signing keys by kid; keys of another type, use or algorithm are not candidates. */
  private static Map<String, RSAPublicKey> rsaKeys(JsonObject jwks) {
    Map<String, RSAPublicKey> out = new HashMap<>();
    if (!(jwks.getValue("keys") instanceof JsonArray array)) {
      return out;
    }
    for (Object entry : array) {
      if (!(entry instanceof JsonObject jwk)
          || !"RSA".equals(jwk.getValue("kty"))
          || !(jwk.getValue("kid") instanceof String kid)
          || jwk.containsKey("use") && !"sig".equals(jwk.getValue("use"))
          || jwk.containsKey("alg") && !"RS256".equals(jwk.getValue("alg"))
          || !(jwk.getValue("n") instanceof String n)
          || !(jwk.getValue("e") instanceof String e)) {
        continue;
      }
      try {
        Base64.Decoder b64 = Base64.getUrlDecoder();
        RSAPublicKeySpec spec = new RSAPublicKeySpec(new BigInteger(1, b64.decode(n)), new BigInteger(1, b64.decode(e)));
        out.put(kid, (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec));
      } catch (IllegalArgumentException | GeneralSecurityException ignored) {
        // An unusable key is one the token cannot have been signed with.
      }
    }
    return out;
  }

  // --- answers ------------------------------------------------------------------------

  private static void answer(HttpServerRequest req, Issued c) {
    String requestId = UUID.randomUUID().toString();
    String xml = "<AssumeRoleWithWebIdentityResponse xmlns=\"" + NAMESPACE + "\">\n"
        + "  <AssumeRoleWithWebIdentityResult>\n"
        + "    <Credentials>\n"
        + "      <AccessKeyId>" + xml(c.accessKeyId()) + "</AccessKeyId>\n"
        + "      <SecretAccessKey>" + xml(c.secretAccessKey()) + "</SecretAccessKey>\n"
        + "      <SessionToken>" + xml(c.sessionToken()) + "</SessionToken>\n"
        + "      <Expiration>" + c.expiration() + "</Expiration>\n"
        + "    </Credentials>\n"
        + "    <SubjectFromWebIdentityToken>" + xml(c.subject()) + "</SubjectFromWebIdentityToken>\n"
        + "    <AssumedRoleUser>\n"
        + "      <Arn>" + xml(c.assumedRoleArn()) + "</Arn>\n"
        + "      <AssumedRoleId>" + xml(c.assumedRoleId()) + "</AssumedRoleId>\n"
        + "    </AssumedRoleUser>\n"
        + "    <Provider>" + xml(c.provider()) + "</Provider>\n"
        + "    <Audience>" + xml(c.audience()) + "</Audience>\n"
        + "  </AssumeRoleWithWebIdentityResult>\n"
        + "  <ResponseMetadata>\n"
        + "    <RequestId>" + requestId + "</RequestId>\n"
        + "  </ResponseMetadata>\n"
        + "</AssumeRoleWithWebIdentityResponse>\n";
    send(req, 200, requestId, xml);
  }

  private static void answer(HttpServerRequest req, StsError error) {
    String requestId = UUID.randomUUID().toString();
    String xml = "<ErrorResponse xmlns=\"" + NAMESPACE + "\">\n"
        + "  <Error>\n"
        + "    <Type>" + error.type() + "</Type>\n"
        + "    <Code>" + xml(error.code()) + "</Code>\n"
        + "    <Message>" + xml(error.getMessage()) + "</Message>\n"
        + "  </Error>\n"
        + "  <RequestId>" + requestId + "</RequestId>\n"
        + "</ErrorResponse>\n";
    send(req, error.status(), requestId, xml);
  }

  private static void send(HttpServerRequest req, int status, String requestId, String xml) {
    if (req.response().ended() || req.response().closed()) {
      return;
    }
    req.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/xml")
        .putHeader("x-amzn-RequestId", requestId)
        .end(xml);
  }

  private static String xml(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  // --- errors and small values -----------------------------------------------------------

  private static StsError sender(String code, String message) {
    return new StsError(400, "Sender", code, message);
  }

  private static StsError validation(String constraint) {
    return sender("ValidationError", "1 validation error detected: " + constraint);
  }

  private static StsError invalidToken(String message) {
    return sender("InvalidIdentityToken", message);
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + ": blank (expected: non-blank)");
    }
  }

  private static void requireRoleArn(String roleArn) {
    Objects.requireNonNull(roleArn, "roleArn");
    if (!ROLE_ARN.matcher(roleArn).matches()) {
      throw new IllegalArgumentException("roleArn: " + roleArn + " (expected: arn:aws:iam::<12 digits>:role/<name>)");
    }
  }

  /** An STS error answer; thrown by the rules, never logged, so without a stack trace. */
  private static final class StsError extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;

    StsError(int status, String type, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
      this.code = code;
    }

    int status() {
      return status;
    }

    String type() {
      return type;
    }

    String code() {
      return code;
    }
  }

  private record Trust(String issuer, String audience, String subject) {
  }

  private record Issued(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration,
      String subject, String assumedRoleArn, String assumedRoleId, String provider, String audience) {
  }

  /** A compact JWS whose header names RS256 and a kid; its signature is checked by {@link #verify}. */
  private record Jwt(String signingInput, byte[] signature, String kid, JsonObject claims) {

    static Jwt parse(String token) {
      String[] parts = token.split("\\.", -1);
      if (parts.length != 3) {
        throw invalidToken("The web identity token is not a JWS in compact serialization (3 parts)");
      }
      JsonObject header;
      JsonObject claims;
      byte[] signature;
      try {
        Base64.Decoder b64 = Base64.getUrlDecoder();
        header = new JsonObject(new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
        claims = new JsonObject(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
        signature = b64.decode(parts[2]);
      } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
        throw invalidToken("The web identity token could not be decoded");
      }
      if (!"RS256".equals(header.getValue("alg"))) {
        throw invalidToken("Unsupported signing algorithm " + header.getValue("alg") + " (expected: RS256)");
      }
      if (!(header.getValue("kid") instanceof String kid) || kid.isEmpty()) {
        throw invalidToken("The web identity token's header has no kid");
      }
      return new Jwt(parts[0] + "." + parts[1], signature, kid, claims);
    }

    void verify(RSAPublicKey key) {
      boolean valid;
      try {
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(key);
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        valid = rs256.verify(signature);
      } catch (GeneralSecurityException e) {
        valid = false;
      }
      if (!valid) {
        throw invalidToken("The web identity token's signature could not be verified with the key " + kid);
      }
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "StsServer[%s, calls=%d, issued=%d]", endpoint(), calls(), issued());
  }
}
