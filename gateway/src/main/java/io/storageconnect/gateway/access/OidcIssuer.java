package io.storageconnect.gateway.access;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The platform as an OpenID Connect identity provider to customers' AWS accounts: the discovery
 * document and JWKS that IAM fetches, and the short-lived web identity tokens exchanged at STS.
 *
 * <p>The {@code iss} claim is the configured issuer URL character for character (IAM compares it
 * with the provider URL exactly; a trailing slash difference rejects every token). Every
 * configured key is published; exactly one signs. Rotation without downtime: publish the new key
 * first, make it the signing key once IAM has seen it, keep the old one published until every
 * token it signed has expired ({@link #tokenLifetime()}). Signing is CPU-only; never blocks.
 */
public final class OidcIssuer {
  private final String issuer;
  private final String audience;
  private final Duration tokenLifetime;
  private final List<SigningKey> keys;
  private final JWTAuth signer;
  private final Clock clock;

  public OidcIssuer(Vertx vertx, String issuer, String audience, Duration tokenLifetime, List<SigningKey> keys, Clock clock) {
    this.issuer = issuer;
    this.audience = audience;
    this.tokenLifetime = tokenLifetime;
    this.keys = List.copyOf(keys);
    this.clock = clock;
    List<SigningKey> signing = keys.stream().filter(SigningKey::signs).toList();
    if (signing.size() != 1) {
      throw new IllegalArgumentException("exactly one OIDC key must sign (found " + signing.size() + ")");
    }
    SigningKey key = signing.get(0);
    // One key per JWTAuth: vertx-auth-jwt picks a random key among those of the algorithm.
    this.signer =
        JWTAuth.create(
            vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setId(key.kid()).setBuffer(key.privatePem())));
  }

  public String issuer() {
    return issuer;
  }

  public String audience() {
    return audience;
  }

  public Duration tokenLifetime() {
    return tokenLifetime;
  }

  /** The path under which the issuer's documents are served, e.g. {@code /oidc}. */
  public String path() {
    String p = URI.create(issuer).getRawPath();
    return p == null || p.equals("/") ? "" : (p.endsWith("/") ? p.substring(0, p.length() - 1) : p);
  }

  public String jwksUri() {
    return (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/jwks.json";
  }

  /** {@code /.well-known/openid-configuration} (OpenID Connect Discovery 1.0 §3). */
  public JsonObject discovery() {
    return new JsonObject()
        .put("issuer", issuer)
        .put("jwks_uri", jwksUri())
        .put("response_types_supported", new JsonArray().add("id_token"))
        .put("subject_types_supported", new JsonArray().add("public"))
        .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"))
        .put("claims_supported", new JsonArray().add("iss").add("sub").add("aud").add("iat").add("exp").add("jti"));
  }

  public JsonObject jwks() {
    JsonArray published = new JsonArray();
    keys.forEach(k -> published.add(k.publicJwk().copy()));
    return new JsonObject().put("keys", published);
  }

  /**
   * A web identity token for one platform account: {@code sub} is that account, so the
   * customer's trust policy (which pins {@code sub}) admits it for that account's role only.
   */
  public String mint(String platformAccountId) {
    long now = clock.instant().getEpochSecond();
    JsonObject claims =
        new JsonObject()
            .put("iss", issuer)
            .put("sub", platformAccountId)
            .put("aud", audience)
            .put("iat", now)
            .put("nbf", now)
            .put("exp", now + tokenLifetime.toSeconds())
            .put("jti", UUID.randomUUID().toString());
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true));
  }
}
