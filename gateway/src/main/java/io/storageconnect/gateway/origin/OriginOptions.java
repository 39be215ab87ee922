package io.storageconnect.gateway.origin;

import java.time.Duration;

/**
 * Tuning of the shared S3 HTTP client and of the object-metadata cache. Validated by the config
 * package; immutable.
 *
 * @param maxConnections upper bound of pooled upstream connections across all buckets
 * @param connectTimeout TCP connect to the origin
 * @param firstByteTimeout longest wait for the answer to a HEAD or for a GET's response headers,
 *     from the call (a Resilience4j time limit, so it includes waiting for a pooled connection)
 * @param readTimeout longest silence between chunks of a body once it flows
 * @param acquireTimeout longest wait for a pooled connection when all are busy
 * @param metadataTtl how long a HEAD answer is reused
 * @param metadataCacheSize how many HEAD answers are kept
 * @param credentialMargin a presigned URL expires at least this long before the credentials that
 *     signed it
 */
public record OriginOptions(
    int maxConnections,
    Duration connectTimeout,
    Duration firstByteTimeout,
    Duration readTimeout,
    Duration acquireTimeout,
    Duration metadataTtl,
    long metadataCacheSize,
    Duration credentialMargin) {

  public static OriginOptions defaults() {
    return new OriginOptions(
        512, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofSeconds(10), 100_000,
        Duration.ofMinutes(1));
  }

  /** The socket read timeout of the SDK's HTTP client: a backstop above both time limits. */
  public Duration socketReadTimeout() {
    return (firstByteTimeout.compareTo(readTimeout) > 0 ? firstByteTimeout : readTimeout).plusSeconds(1);
  }
}
