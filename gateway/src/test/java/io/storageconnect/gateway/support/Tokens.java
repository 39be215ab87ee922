package io.storageconnect.gateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

/**
 * The platform's side of viewer tokens, for tests and the demo: an RSA key pair, the public key
 * as PEM for the gateway's configuration, and minting with vertx-auth-jwt.
 */
public final class Tokens {
  public static final String ISSUER = "https://platform.storageconnect.test";
  public static final String AUDIENCE = "storage-connect-gateway";

  private final String publicPem;
  private final String privatePem;
  private final JWTAuth signer;

  public Tokens(Vertx vertx) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      this.publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
      this.privatePem = pem("PRIVATE KEY", pair.getPrivate().getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    this.signer =
        JWTAuth.create(
            vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(privatePem)));
  }

  public String publicKeyPem() {
    return publicPem;
  }

  /** A token for one account, some assets and actions, valid for an hour. */
  public String mint(String account, List<String> assets, List<String> actions) {
    return mint(account, assets, actions, 3600);
  }

  public String mint(String account, List<String> assets, List<String> actions, int expiresInSeconds) {
    return mint(
        new JsonObject().put("sub", "user-1").put("account", account).put("assets", new JsonArray(assets)).put("actions", new JsonArray(actions)),
        new JWTOptions().setAlgorithm("RS256").setIssuer(ISSUER).setAudience(List.of(AUDIENCE)).setExpiresInSeconds(expiresInSeconds));
  }

  /** A token with arbitrary claims and options, for negative tests. */
  public String mint(JsonObject claims, JWTOptions options) {
    return signer.generateToken(claims, options);
  }

  /** A token for every action on the given assets. */
  public String all(String account, String... assets) {
    return mint(account, List.of(assets), List.of("download", "play", "renditions", "thumbnail"));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
