package io.storageconnect.gateway.resilience;

import java.time.Duration;

/**
 * When a bucket's circuit breaker opens and how it recovers. Immutable; validated by the config
 * package.
 *
 * @param failureRatePercent failures (connect errors, timeouts, 5xx, throttling) in the window
 *     that open the breaker
 * @param window calls in the sliding window
 * @param minimumCalls calls before the rate is judged
 * @param openFor how long an open breaker sends requests straight to fallback
 * @param halfOpenCalls probe calls let through after {@code openFor}
 * @param slowCall a call slower than this counts as slow; all-slow windows open the breaker too
 */
public record BreakerOptions(
    int failureRatePercent, int window, int minimumCalls, Duration openFor, int halfOpenCalls, Duration slowCall) {

  public static BreakerOptions defaults() {
    return new BreakerOptions(50, 20, 5, Duration.ofSeconds(30), 2, Duration.ofSeconds(10));
  }
}
