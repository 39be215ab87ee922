package io.storageconnect.gateway.access;

import java.util.List;

/**
 * How viewer tokens are verified, and the optional CDN origin secret. Immutable; validated by the
 * config package.
 *
 * @param keys public keys (PEM) with their pinned algorithms; a token signed with any other
 *     algorithm, including {@code none} and HMAC, is rejected
 * @param leewaySeconds clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}
 * @param originSecretHeader header a CDN presents on origin pulls
 * @param originSecret the expected value, or {@code null} when origin pulls are disabled
 */
public record AuthOptions(
    String issuer,
    List<String> audiences,
    List<VerificationKey> keys,
    int leewaySeconds,
    String originSecretHeader,
    String originSecret) {

  public AuthOptions {
    audiences = List.copyOf(audiences);
    keys = List.copyOf(keys);
  }

  /** A PEM public key and the one algorithm it verifies (RS256/384/512, PS256/384/512, ES256/384/512). */
  public record VerificationKey(String algorithm, String pem) {
    @Override
    public String toString() {
      return "VerificationKey[" + algorithm + "]";
    }
  }

  @Override
  public String toString() {
    return "AuthOptions[issuer=" + issuer + ", audiences=" + audiences + ", keys=" + keys + ", leewaySeconds="
        + leewaySeconds + ", originSecretHeader=" + originSecretHeader + ", originSecret="
        + (originSecret == null ? "unset" : "***") + "]";
  }
}
