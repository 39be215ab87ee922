package io.storageconnect.gateway.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storageconnect.gateway.access.RoleCredentials;
import io.storageconnect.gateway.origin.OriginCall;
import io.storageconnect.gateway.resilience.GuardedOrigin;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * Everything {@code GET /metrics} shows, in one Prometheus registry: Vert.x's HTTP server (per
 * route template and status), the gateway's own meters (bytes by delivery source, fallbacks by
 * reason, calls on buckets, breakers, STS, caches, the SDK's connection pool) and JVM basics.
 *
 * <p>Every label value is bounded: route templates (never paths), fixed words, and account ids only
 * of configured storage connections (breakers, STS) — never anything a client sends.
 */
public final class GatewayMetrics implements OriginCall.Observer {
  /** Latency buckets for requests and bucket calls: enough to see a p99, few enough to scrape. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)
  };

  private final PrometheusMeterRegistry registry;
  private final Clock clock;
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
  private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
  private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
  private final List<AutoCloseable> binders = new ArrayList<>();

  private GatewayMetrics(PrometheusMeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /** A registry with the JVM's basics bound (memory, GC, threads, CPU, file descriptors, uptime). */
  public static GatewayMetrics create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        // Vert.x's server response times as a histogram with the gateway's buckets.
        if (id.getName().equals("vertx.http.server.response.time")) {
          return DistributionStatisticConfig.builder()
              .serviceLevelObjectives(java.util.Arrays.stream(LATENCY_BUCKETS).mapToDouble(d -> d.toNanos()).toArray())
              .build()
              .merge(config);
        }
        return config;
      }
    });
    GatewayMetrics metrics = new GatewayMetrics(registry, Clock.systemUTC());
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    metrics.binders.add(gc);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    io.micrometer.core.instrument.Gauge.builder("gateway.http.connections", metrics.connections, java.util.concurrent.atomic.AtomicInteger::get)
        .description("Client connections open").register(registry);
    // The production logback.xml's queues (names of its appenders).
    Map.of("ACCESS", "access", "AUDIT", "audit", "ASYNC_JSON", "application").forEach((appender, log) ->
        io.micrometer.core.instrument.FunctionCounter.builder("gateway.log.dropped", MeteredAsyncAppender.dropped(appender), LongAdderValue.INSTANCE)
            .description("Log lines dropped because the asynchronous queue was full (event loops never wait for the log)")
            .tag("log", log)
            .register(registry));
    return metrics;
  }

  /**
   * A Vert.x instance that reports its HTTP server (requests, response times and bytes by route
   * template and status; connections) and worker pools into this registry. Route templates come
   * from vertx-web; the method is left out (clients may send any token), the path too.
   */
  public Vertx vertx(VertxOptions options) {
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.POOL_TYPE, Label.POOL_NAME))
        // Requests are measured by the access log (route templates, cached meters): Vert.x's own
        // HTTP server meters were looked up and registered again on every request, a fifth of
        // the redirect path's CPU.
        .setDisabledMetricsCategories(java.util.Set.of(io.vertx.micrometer.MetricsDomain.HTTP_SERVER.toCategory()));
    return Vertx.builder()
        .with(options.setMetricsOptions(metricsOptions))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * {@code GET /metrics}: the Prometheus text format. Gauges are read fresh from their owners and
   * the registry scraped on one worker thread shared by every event loop: scrapes never
   * interleave (two Prometheus servers scraping at once see whole row sets), and the procfs reads
   * behind the process and JVM gauges never run on an event loop.
   */
  public Handler<RoutingContext> scrapeHandler(Vertx vertx) {
    io.vertx.core.WorkerExecutor worker = vertx.createSharedWorkerExecutor("metrics-scrape", 1);
    return ctx -> worker.executeBlocking(() -> {
          beforeScrape.forEach(Runnable::run);
          return registry.scrape();
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            ctx.response()
                .putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .putHeader(io.vertx.core.http.HttpHeaders.CACHE_CONTROL, "no-store")
                .end(ar.result());
          } else {
            ctx.fail(ar.cause());
          }
        });
  }

  /** How often each event loop's lag is sampled. */
  static final long LAG_TICK_MS = 500;

  /**
   * Samples the lag of the calling context's event loop: a periodic tick that runs late shows a
   * loop that was blocked or overloaded ({@code gateway_event_loop_lag_seconds}, with its max).
   * Call from a verticle's start; the timer ends with the verticle.
   */
  public void watchEventLoop(Vertx vertx) {
    Timer lag = Timer.builder("gateway.event.loop.lag")
        .description("How late a " + LAG_TICK_MS + " ms tick ran on the event loops")
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofSeconds(2))
        .register(registry);
    long[] last = {System.nanoTime()};
    vertx.setPeriodic(LAG_TICK_MS, id -> {
      long now = System.nanoTime();
      long late = now - last[0] - LAG_TICK_MS * 1_000_000;
      last[0] = now;
      lag.record(Math.max(0, late), java.util.concurrent.TimeUnit.NANOSECONDS);
    });
  }

  /** The SDK's per-call metrics (connection pool, retries), for the S3 clients. */
  public MetricPublisher sdkPublisher() {
    return new SdkPoolMetrics(registry);
  }

  /** Hit ratios, sizes and evictions of the gateway's caches. */
  public void caches(Map<String, Cache<?, ?>> caches) {
    caches.forEach((name, cache) -> CaffeineCacheMetrics.monitor(registry, cache, name));
  }

  /** Per bucket kind (customer, managed), operation and result class: looked up without allocating. */
  private final Counter[][][] originCalls =
      new Counter[2][OriginCall.Operation.values().length][OriginCall.ResultClass.values().length];
  private final Timer[][] originDurations = new Timer[2][OriginCall.Operation.values().length];
  private final Counter[] originBytes = new Counter[2];

  /** route → method → status (100..599) → timer: found without allocating. */
  private final Map<String, Map<String, Timer[]>> requests = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * A request ended (from the access log): counted and timed by route template, method and status
   * ({@code gateway_http_requests_seconds}).
   */
  public void request(String route, String method, int status, long nanos) {
    Timer[] byStatus = requests.computeIfAbsent(route, r -> new ConcurrentHashMap<>())
        .computeIfAbsent(method, m -> new Timer[500]);
    int i = status < 100 || status > 599 ? 0 : status - 100;
    Timer timer = byStatus[i];
    if (timer == null) {
      timer = timer("gateway.http.requests", "Requests by route template, method and status, until the response ended",
          "route", route, "method", method, "status", Integer.toString(status));
      byStatus[i] = timer;
    }
    timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Counts a client connection while it is open ({@code gateway_http_connections}). */
  public void connectionOpened(io.vertx.core.http.HttpConnection connection) {
    connections.incrementAndGet();
    connection.closeHandler(v -> connections.decrementAndGet());
  }

  /** A call on a bucket ended: counted by bucket kind, operation and result class, and timed. */
  @Override
  public void called(OriginCall call) {
    int k = call.caller().customer() ? 0 : 1;
    String kind = k == 0 ? "customer" : "managed";
    OriginCall.Operation op = call.operation();
    OriginCall.ResultClass result = call.resultClass();
    Counter calls = originCalls[k][op.ordinal()][result.ordinal()];
    if (calls == null) {
      // Racing threads get the same meter from the registry: the array is only a shortcut.
      calls = counter("gateway.origin.requests", "Calls the gateway made on buckets",
          "bucket", kind, "operation", op.label(), "result", result.label());
      originCalls[k][op.ordinal()][result.ordinal()] = calls;
    }
    calls.increment();
    if (op != OriginCall.Operation.PRESIGN) {
      Timer duration = originDurations[k][op.ordinal()];
      if (duration == null) {
        duration = timer("gateway.origin.request.duration", "Duration of calls on buckets (a GET until its body ends)",
            "bucket", kind, "operation", op.label());
        originDurations[k][op.ordinal()] = duration;
      }
      duration.record(call.durationNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    if (call.bytes() > 0 && op == OriginCall.Operation.GET) {
      Counter bytes = originBytes[k];
      if (bytes == null) {
        bytes = counter("gateway.origin.read.bytes", "Bytes read from buckets", "bucket", kind);
        originBytes[k] = bytes;
      }
      bytes.increment(call.bytes());
    }
  }

  /**
   * A response ended (from the access log): bytes sent by delivery source ({@code customer},
   * {@code managed}, {@code managed-proxy}; {@code redirect} sends none) and fallbacks by reason.
   */
  public void delivered(String source, String fallback, long bytes) {
    if (source != null) {
      deliveries.computeIfAbsent(source, s -> counter("gateway.delivery.responses", "Asset responses by delivery source", "source", s))
          .increment();
      if (bytes > 0) {
        deliveredBytes.computeIfAbsent(source, s -> counter("gateway.delivery.bytes", "Bytes sent to clients by delivery source", "source", s))
            .increment(bytes);
      }
    }
    if (fallback != null) {
      fallbacks.computeIfAbsent(fallback, r -> counter("gateway.fallbacks",
              "Answers from the managed bucket because the customer's could not serve", "reason", r))
          .increment();
    }
  }

  /** By the gateway's own words (delivery sources, fallback reasons): a map lookup, no allocation. */
  private final Map<String, Counter> deliveries = new ConcurrentHashMap<>();
  private final Map<String, Counter> deliveredBytes = new ConcurrentHashMap<>();
  private final Map<String, Counter> fallbacks = new ConcurrentHashMap<>();

  /** SDK clients the origin holds: one per region, endpoint and credentials (each role account has its own). */
  public void sdkClients(java.util.function.IntSupplier held) {
    io.micrometer.core.instrument.Gauge.builder("gateway.origin.sdk.clients", held, h -> h.getAsInt())
        .description("SDK clients held: one per region, endpoint and credentials; those no connection uses are closed once idle")
        .strongReference(true) // the supplier is a method reference nothing else holds
        .register(registry);
  }

  /** Breaker state per account ({@code managed} for the platform's bucket): 1 for the current state. */
  public void breakers(GuardedOrigin origin) {
    MultiGauge state = MultiGauge.builder("gateway.breaker.state")
        .description("Circuit breaker state per storage connection: 1 for the current state")
        .register(registry);
    beforeScrape.add(() -> {
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      origin.states().forEach((owner, current) -> {
        for (String s : List.of("closed", "open", "half_open")) {
          rows.add(MultiGauge.Row.of(Tags.of("account", owner, "state", s), label(current).equals(s) ? 1 : 0));
        }
      });
      state.register(rows, true);
    });
  }

  private static String label(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> "open";
      case HALF_OPEN -> "half_open";
      default -> "closed";
    };
  }

  /** STS calls per account and result, and the age and remaining life of each role's credentials. */
  public RoleCredentials.CallObserver stsCalls() {
    return (account, result) ->
        counter("gateway.sts.calls", "AssumeRoleWithWebIdentity calls", "account", account, "result", result).increment();
  }

  public void credentials(RoleCredentials roles) {
    MultiGauge age = MultiGauge.builder("gateway.sts.credentials.age")
        .description("Age of each role's cached credentials").baseUnit("seconds").register(registry);
    MultiGauge left = MultiGauge.builder("gateway.sts.credentials.expiry")
        .description("Time until each role's cached credentials expire").baseUnit("seconds").register(registry);
    beforeScrape.add(() -> {
      Instant now = clock.instant();
      List<MultiGauge.Row<?>> ages = new ArrayList<>();
      List<MultiGauge.Row<?>> lefts = new ArrayList<>();
      for (RoleCredentials.Held held : roles.held()) {
        held.issued().ifPresent(i -> ages.add(MultiGauge.Row.of(Tags.of("account", held.accountId()), Duration.between(i, now).toMillis() / 1000.0)));
        held.expires().ifPresent(e -> lefts.add(MultiGauge.Row.of(Tags.of("account", held.accountId()), Duration.between(now, e).toMillis() / 1000.0)));
      }
      age.register(ages, true);
      left.register(lefts, true);
    });
  }

  /** Reloads of the catalog and connections: applied and refused, and when the last one applied. */
  public void reloads(io.storageconnect.gateway.reload.Reloader reloader) {
    io.micrometer.core.instrument.FunctionCounter.builder("gateway.reloads", reloader, r -> r.successes())
        .description("Reloads of the catalog and storage connections").tag("result", "applied").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("gateway.reloads", reloader, r -> r.failures())
        .description("Reloads of the catalog and storage connections").tag("result", "refused").register(registry);
    io.micrometer.core.instrument.Gauge.builder("gateway.reload.last.success", reloader,
            r -> r.lastSuccess().map(t -> t.toEpochMilli() / 1000.0).orElse(Double.NaN))
        .description("When the last reload was applied (Unix time)").baseUnit("seconds").register(registry);
  }

  private enum LongAdderValue implements java.util.function.ToDoubleFunction<java.util.concurrent.atomic.LongAdder> {
    INSTANCE;

    @Override
    public double applyAsDouble(java.util.concurrent.atomic.LongAdder adder) {
      return adder.sum();
    }
  }

  private Counter counter(String name, String description, String... tags) {
    return counters.computeIfAbsent(key(name, tags), k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  private Timer timer(String name, String description, String... tags) {
    return timers.computeIfAbsent(
        key(name, tags),
        k -> Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
  }

  private static List<String> key(String name, String... tags) {
    List<String> key = new ArrayList<>(tags.length + 1);
    key.add(name);
    java.util.Collections.addAll(key, tags);
    return key;
  }

  /** Releases what the JVM binders hold (GC listeners). */
  public void close() {
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception ignored) {
        // Nothing to release more than once.
      }
    }
    registry.close();
  }
}
