package io.storageconnect.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * The AWS SDK's own per-call metrics, read as they are published (after every call): the shared
 * Netty connection pool's leased, available and maximum connections and pending acquisitions (the
 * latest reading), how long acquiring a connection took, and retries. Runs on SDK threads; cheap
 * and never blocks.
 */
final class SdkPoolMetrics implements MetricPublisher {
  private final AtomicInteger leased = new AtomicInteger();
  private final AtomicInteger available = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger max = new AtomicInteger();
  private final Timer acquire;
  private final io.micrometer.core.instrument.Counter retries;

  SdkPoolMetrics(MeterRegistry registry) {
    Gauge.builder("gateway.sdk.pool.leased", leased, AtomicInteger::get)
        .description("Connections to buckets in use (shared SDK pool; latest reading)").register(registry);
    Gauge.builder("gateway.sdk.pool.available", available, AtomicInteger::get)
        .description("Idle pooled connections to buckets (latest reading)").register(registry);
    Gauge.builder("gateway.sdk.pool.pending", pending, AtomicInteger::get)
        .description("Calls waiting for a pooled connection (latest reading)").register(registry);
    Gauge.builder("gateway.sdk.pool.max", max, AtomicInteger::get)
        .description("The pool's bound (origin.maxConnections)").register(registry);
    acquire = Timer.builder("gateway.sdk.pool.acquire")
        .description("Time to acquire a pooled connection")
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5))
        .register(registry);
    retries = io.micrometer.core.instrument.Counter.builder("gateway.sdk.retries")
        .description("Retries the SDK made on bucket calls").register(registry);
  }

  @Override
  public void publish(MetricCollection call) {
    call.metricValues(CoreMetric.RETRY_COUNT).forEach(n -> {
      if (n > 0) {
        retries.increment(n);
      }
    });
    visit(call);
  }

  private void visit(MetricCollection collection) {
    collection.metricValues(HttpMetric.LEASED_CONCURRENCY).forEach(leased::set);
    collection.metricValues(HttpMetric.AVAILABLE_CONCURRENCY).forEach(available::set);
    collection.metricValues(HttpMetric.PENDING_CONCURRENCY_ACQUIRES).forEach(pending::set);
    collection.metricValues(HttpMetric.MAX_CONCURRENCY).forEach(max::set);
    collection.metricValues(HttpMetric.CONCURRENCY_ACQUIRE_DURATION).forEach(acquire::record);
    collection.children().forEach(this::visit);
  }

  @Override
  public void close() {}
}
