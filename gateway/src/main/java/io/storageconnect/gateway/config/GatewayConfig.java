package io.storageconnect.gateway.config;

import io.storageconnect.gateway.catalog.ManagedStorage;
import io.storageconnect.gateway.catalog.StorageConnection;
import io.storageconnect.gateway.http.DeliveryOptions;
import io.storageconnect.gateway.origin.OriginOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole, validated configuration. Immutable. Files it names (keys, catalog) are read by the
 * wiring in the root package, not here: this package does no I/O.
 */
public record GatewayConfig(
    Server server,
    Auth auth,
    DeliveryOptions delivery,
    OriginOptions origin,
    Catalog catalog,
    ManagedStorage managed,
    Map<String, StorageConnection> accounts,
    Oidc oidc,
    io.storageconnect.gateway.access.StsOptions sts,
    Admin admin,
    io.storageconnect.gateway.resilience.BreakerOptions breakers,
    List<String> fallbackRenditions,
    Cors cors,
    Metrics metrics,
    Reload reload) {

  public GatewayConfig {
    accounts = Map.copyOf(accounts);
    fallbackRenditions = List.copyOf(fallbackRenditions);
  }

  /**
   * Cross-origin access for browser players on other origins: an exact list of origins (empty:
   * CORS off), and how long browsers may cache a preflight answer.
   */
  public record Cors(List<String> allowedOrigins, Duration maxAge) {
    public Cors {
      allowedOrigins = List.copyOf(allowedOrigins);
    }
  }

  /**
   * @param instances verticle instances (event loops serving HTTP)
   * @param shutdownDelay on SIGTERM, how long readiness answers 503 before the listener closes
   *     (time for a load balancer to stop sending new requests)
   * @param drainTime then, how long requests in flight may take to finish before connections are
   *     closed
   */
  /**
   * {@code GET /metrics} (Prometheus): on unless turned off; with a token, scrapes must send
   * {@code Authorization: Bearer <token>}.
   */
  public record Metrics(boolean enabled, String token) {
    @Override
    public String toString() {
      return "Metrics[enabled=" + enabled + ", token=" + (token == null ? "none" : "***") + "]";
    }
  }

  public record Server(String host, int port, int instances, Duration shutdownDelay, Duration drainTime) {}

  /** Viewer-token verification and the CDN origin secret; key files are read at start-up. */
  public record Auth(
      String issuer,
      List<String> audiences,
      List<KeyFile> keys,
      int leewaySeconds,
      String originSecretHeader,
      String originSecret) {
    @Override
    public String toString() {
      return "Auth[issuer=" + issuer + ", audiences=" + audiences + ", keys=" + keys + ", originSecret="
          + (originSecret == null ? "unset" : "***") + "]";
    }
  }

  /** A PEM public key file and the one algorithm it verifies. */
  public record KeyFile(String algorithm, Path path) {}

  /**
   * The platform's OpenID Connect issuer, needed once any account reaches its bucket through a
   * role. {@code null} when no account does.
   */
  public record Oidc(String issuer, String audience, Duration tokenLifetime, List<OidcKey> keys) {}

  /**
   * The storage-connection admin API; {@code null} when no admin token is configured (the API is
   * then not served).
   *
   * @param connectionsFile where admin changes persist (atomically), or {@code null} for memory only
   * @param migrationPrincipalArn the platform's migration role for the bucket policy, or {@code null}
   */
  public record Admin(String token, Path connectionsFile, String migrationPrincipalArn) {
    @Override
    public String toString() {
      return "Admin[token=***, connectionsFile=" + connectionsFile + ", migrationPrincipalArn=" + migrationPrincipalArn + "]";
    }
  }

  /** A PKCS#8 RSA private key file of the issuer; {@code signs} for the one signing key. */
  public record OidcKey(Path path, boolean signs) {}

  /**
   * Live reload of the catalog file and storage connections.
   *
   * @param interval how often the files' size and modification time are compared, or zero for no
   *     polling (SIGHUP and the admin API still reload)
   */
  public record Reload(Duration interval) {}

  /** The embedded file catalog and its lookup cache. */
  public record Catalog(Path file, long cacheSize, Duration cacheTtl, Duration negativeCacheTtl) {}
}
