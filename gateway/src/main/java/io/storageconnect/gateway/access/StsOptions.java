package io.storageconnect.gateway.access;

import java.net.URI;
import java.time.Duration;

/**
 * How role credentials are obtained and kept. Immutable; validated by the config package.
 *
 * @param endpoint STS endpoint, or {@code null} for the regional endpoint of {@code region}
 * @param sessionDuration requested {@code DurationSeconds} (AWS: 15 min to the role's maximum, at
 *     most 12 h)
 * @param refreshAhead credentials closer than this to expiry are refreshed in the background
 * @param instanceName this gateway instance, for the role session name customers see in CloudTrail
 * @param initialBackoff first wait after an STS failure before the same role is asked again
 * @param maxBackoff longest such wait (it doubles per consecutive failure)
 * @param callTimeout longest one {@code AssumeRoleWithWebIdentity} call may take, retries
 *     included: a hung STS must not hold a background refresh (and the refresh slot) for minutes
 */
public record StsOptions(
    URI endpoint,
    String region,
    Duration sessionDuration,
    Duration refreshAhead,
    String instanceName,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration callTimeout) {

  public static StsOptions defaults(String instanceName) {
    return new StsOptions(null, "us-east-1", Duration.ofHours(1), Duration.ofMinutes(10), instanceName, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10));
  }
}
