package io.storageconnect.gateway.access;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * One RSA key of the platform's OIDC issuer: its private PEM (for signing), its public JWK (for
 * the JWKS), and its {@code kid}, the RFC 7638 JWK thumbprint. Immutable; {@link #toString()}
 * names only the kid.
 *
 * @param signs true for the one key that signs new tokens; other keys are only published (a key
 *     about to sign, or one whose tokens may still be in flight)
 */
public record SigningKey(String kid, String privatePem, JsonObject publicJwk, boolean signs) {

  /** The smallest RSA modulus accepted (AWS requires 2048 bits for RS256 IdP keys). */
  public static final int MIN_BITS = 2048;

  /** Reads a PKCS#8 ({@code BEGIN PRIVATE KEY}) RSA private key. Throws with a short reason. */
  public static SigningKey fromPem(String pem, boolean signs) {
    String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    RSAPrivateCrtKey key;
    try {
      var spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
      if (!(KeyFactory.getInstance("RSA").generatePrivate(spec) instanceof RSAPrivateCrtKey crt)) {
        throw new IllegalArgumentException("not an RSA private key with CRT parameters");
      }
      key = crt;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PKCS#8 RSA private key (BEGIN PRIVATE KEY)", e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PKCS#8 RSA private key (BEGIN PRIVATE KEY)", e);
    }
    if (key.getModulus().bitLength() < MIN_BITS) {
      throw new IllegalArgumentException("RSA key of " + key.getModulus().bitLength() + " bits (expected: >= " + MIN_BITS + ")");
    }
    String n = base64url(unsigned(key.getModulus()));
    String e = base64url(unsigned(key.getPublicExponent()));
    String kid = thumbprint(n, e);
    JsonObject jwk =
        new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256").put("n", n).put("e", e);
    return new SigningKey(kid, pem, jwk, signs);
  }

  /** RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace. */
  static String thumbprint(String n, String e) {
    String canonical = "{\"e\":\"" + e + "\",\"kty\":\"RSA\",\"n\":\"" + n + "\"}";
    try {
      return base64url(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** RFC 7518 §6.3.1: the unsigned big-endian value, without a leading zero octet. */
  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public String toString() {
    return "SigningKey[kid=" + kid + ", signs=" + signs + "]";
  }
}
