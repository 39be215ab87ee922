package io.storageconnect.gateway.resilience;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.storageconnect.gateway.catalog.ObjectLocation;
import io.storageconnect.gateway.delivery.ByteRange;
import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.origin.BucketAddress;
import io.storageconnect.gateway.origin.ObjectBody;
import io.storageconnect.gateway.origin.ObjectMeta;
import io.storageconnect.gateway.origin.OriginCall;
import io.storageconnect.gateway.origin.S3Origin;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin behind one Resilience4j circuit breaker per owner and bucket (each customer account's
 * bucket, and the managed bucket), and a Resilience4j time limit on the first byte of every call.
 *
 * <p>Breakers count only origin faults — connect errors, timeouts, 5xx, throttling — never a
 * missing, archived, forbidden or changed object. An open breaker fails at once with {@link
 * OriginException.Kind#CIRCUIT_OPEN} and a {@code Retry-After} of the time left open, so callers
 * fall back without waiting for a timeout; after the open period, probe calls close it again when
 * the bucket answers. Runs on event loops; never blocks.
 */
public final class GuardedOrigin implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GuardedOrigin.class);

  /** A breaker's identity: whose connection, which bucket. */
  private record Key(String owner, BucketAddress bucket) {}

  /**
   * One bucket as shown in health details: no bucket name, no credentials.
   *
   * @param lastFailure the last bucket-level failure: its error code ({@code origin_timeout},
   *     {@code origin_misconfigured}...), when, and the bucket's real region when S3 named it
   */
  public record BreakerView(
      String region,
      String state,
      float failureRatePercent,
      int bufferedCalls,
      int failedCalls,
      Optional<Instant> openUntil,
      Optional<LastFailure> lastFailure) {}

  /** @param bucketRegion the region S3 said the bucket is in (a 301 PermanentRedirect), if it did */
  public record LastFailure(String code, Instant at, Optional<String> bucketRegion) {}

  private final S3Origin origin;
  private final CircuitBreakerRegistry registry;
  private final Map<Key, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<Key, Instant> openedAt = new ConcurrentHashMap<>();
  private final Map<Key, LastFailure> lastFailures = new ConcurrentHashMap<>();
  /** Per bucket: the different objects that answered 403 since the last successful call. */
  private final Map<Key, Set<String>> denied = new ConcurrentHashMap<>();
  private final AtomicLong breakerIds = new AtomicLong();
  private final Duration openFor;
  private final Clock clock;
  private final TimeLimiter firstByte;
  private final ScheduledExecutorService timer;

  /**
   * @param firstByteTimeout longest wait for a HEAD answer or a GET's response headers
   * @param clock the breakers' time (tests move it by hand)
   */
  public GuardedOrigin(S3Origin origin, BreakerOptions options, Duration firstByteTimeout, Clock clock) {
    this.origin = origin;
    this.openFor = options.openFor();
    this.clock = clock;
    this.registry =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(options.window())
                .minimumNumberOfCalls(options.minimumCalls())
                .failureRateThreshold(options.failureRatePercent())
                .waitDurationInOpenState(options.openFor())
                .permittedNumberOfCallsInHalfOpenState(options.halfOpenCalls())
                .slowCallDurationThreshold(options.slowCall())
                .slowCallRateThreshold(100)
                .recordException(GuardedOrigin::isOriginFault)
                .ignoreException(e -> !isOriginFault(e))
                .clock(clock)
                .build());
    this.firstByte =
        TimeLimiter.of("origin-first-byte", TimeLimiterConfig.custom().timeoutDuration(firstByteTimeout).cancelRunningFuture(false).build());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "origin-time-limits");
              t.setDaemon(true);
              return t;
            });
  }

  /** Faults of the bucket itself; an object's own state (missing, archived, changed) is not one. */
  static boolean isOriginFault(Throwable e) {
    if (e instanceof OriginException oe) {
      return switch (oe.kind()) {
        case UNAVAILABLE, TIMEOUT, THROTTLED -> true;
        default -> false;
      };
    }
    return true;
  }

  /**
   * Object metadata. A cached answer needs no call, so neither the breaker nor the time limit is
   * asked (an open breaker still lets cached metadata answer; the GET that follows is refused).
   */
  public Future<ObjectMeta> head(ObjectLocation loc, String requestId) {
    Optional<ObjectMeta> cached = origin.cachedHead(loc.bucket(), loc.key());
    if (cached.isPresent()) {
      return Future.succeededFuture(cached.get());
    }
    return guard(loc, () -> origin.head(caller(loc, requestId), loc.bucket(), loc.key()), false);
  }

  /**
   * A GET whose response headers must arrive within the first-byte limit; a late body is
   * discarded. The breaker judges the call when the body is over, through the returned body's
   * {@link ObjectBody#outcome()}: a stream reset halfway is one failed call, not a success and a
   * failure.
   */
  public Future<ObjectBody> get(ObjectLocation loc, ByteRange range, String ifMatch, String requestId) {
    return guard(loc, () -> origin.get(caller(loc, requestId), loc.bucket(), loc.key(), range, ifMatch), true);
  }

  /** Presigning signs locally (no call to the bucket), so the breaker is not asked. */
  public Future<URI> presign(ObjectLocation loc, Duration ttl, String disposition, String contentType, String requestId) {
    return origin.presign(caller(loc, requestId), loc.bucket(), loc.key(), ttl, disposition, contentType);
  }

  /** Calls on a customer's bucket are made for its account (and audited); the managed bucket's are the platform's. */
  private static OriginCall.Caller caller(ObjectLocation loc, String requestId) {
    return loc.managed() ? OriginCall.Caller.PLATFORM : new OriginCall.Caller(loc.owner(), requestId);
  }

  public void invalidate(ObjectLocation loc) {
    origin.invalidate(loc.bucket(), loc.key());
  }

  /** Drops the breakers of an owner whose connection changed: the new one starts closed. */
  public void forget(String owner) {
    breakers.keySet().removeIf(key -> key.owner().equals(owner));
    openedAt.keySet().removeIf(key -> key.owner().equals(owner));
    lastFailures.keySet().removeIf(key -> key.owner().equals(owner));
    denied.keySet().removeIf(key -> key.owner().equals(owner));
  }

  /** Keeps the last bucket-level failure (never an object's own state) for health details. */
  private void remember(Key key, Throwable failure) {
    if (!breakers.containsKey(key)) {
      return; // forgotten meanwhile (its connection changed): not this owner's news any more
    }
    if (failure instanceof OriginException oe
        && (isOriginFault(oe) || oe.kind() == OriginException.Kind.MISCONFIGURED)) {
      // A role that lost its object permissions shows as such, not as a generic misconfiguration.
      String code = oe.getCause() instanceof OriginException denied && denied.kind() == OriginException.Kind.OBJECT_UNAVAILABLE
          ? "access_denied"
          : oe.code();
      lastFailures.put(key, new LastFailure(code, clock.instant(), oe.bucketRegion()));
    }
  }

  /** The breakers of one owner (an account id, or {@link ObjectLocation#MANAGED}). */
  public List<BreakerView> breakers(String owner) {
    List<BreakerView> views = new ArrayList<>();
    breakers.forEach(
        (key, b) -> {
          if (key.owner().equals(owner)) {
            Instant opened = openedAt.get(key);
            Optional<Instant> until =
                b.getState() == CircuitBreaker.State.OPEN && opened != null ? Optional.of(opened.plus(openFor)) : Optional.empty();
            views.add(
                new BreakerView(
                    key.bucket().region(),
                    b.getState().name(),
                    Math.max(0, b.getMetrics().getFailureRate()),
                    b.getMetrics().getNumberOfBufferedCalls(),
                    b.getMetrics().getNumberOfFailedCalls(),
                    until,
                    Optional.ofNullable(lastFailures.get(key))));
          }
        });
    return views;
  }

  /**
   * Every breaker's state by owner (an account id, or {@link ObjectLocation#MANAGED}), for
   * metrics: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}; an owner with breakers on two buckets
   * (a connection just changed) shows the worse.
   */
  public java.util.Map<String, CircuitBreaker.State> states() {
    java.util.Map<String, CircuitBreaker.State> out = new java.util.HashMap<>();
    breakers.forEach((key, b) -> out.merge(key.owner(), b.getState(), (x, y) -> severity(x) >= severity(y) ? x : y));
    return out;
  }

  private static int severity(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> 2;
      case HALF_OPEN -> 1;
      default -> 0;
    };
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * Asks the breaker, runs the call under the first-byte limit and records the answer — at once,
   * or (a body, {@code judgeBody}) when the body is over.
   */
  @SuppressWarnings("unchecked")
  private <T> Future<T> guard(ObjectLocation loc, Supplier<Future<T>> call, boolean judgeBody) {
    Key key = new Key(loc.owner(), loc.bucket());
    CircuitBreaker breaker = breaker(key);
    if (!breaker.tryAcquirePermission()) {
      return Future.failedFuture(
          new OriginException(OriginException.Kind.CIRCUIT_OPEN, CallNotPermittedException.createCallNotPermittedException(breaker))
              .withRetryAfter(retryAfter(key)));
    }
    Context context = Vertx.currentContext();
    long start = breaker.getCurrentTimestamp();
    Future<T> upstream;
    try {
      upstream = call.get();
    } catch (RuntimeException e) {
      upstream = Future.failedFuture(e);
    }
    Future<T> real = upstream;
    // The time limit completes the future it is given when time is up, so it gets a copy: the
    // real answer stays observable, and a late body is released instead of holding a pooled
    // connection until the socket times out.
    CompletableFuture<T> limited =
        firstByte.executeCompletionStage(timer, () -> real.toCompletionStage().toCompletableFuture()).toCompletableFuture();
    Future<T> result =
        (context == null ? Future.fromCompletionStage(limited) : Future.fromCompletionStage(limited, context))
            .recover(
                e -> {
                  Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                  if (cause instanceof TimeoutException) {
                    real.onSuccess(late -> {
                      if (late instanceof ObjectBody body) {
                        // Too late: its headers came after the first-byte limit.
                        body.discard(new OriginException(OriginException.Kind.TIMEOUT, cause));
                      }
                    });
                    return Future.failedFuture(new OriginException(OriginException.Kind.TIMEOUT, cause));
                  }
                  return Future.failedFuture(cause);
                });
    return result
        .recover(e -> Future.failedFuture(accessCheck(key, loc, e)))
        .map(
            value -> {
              long took = breaker.getCurrentTimestamp() - start;
              denied.remove(key);
              if (judgeBody && value instanceof ObjectBody body) {
                // Judged when the body is over; as fast as its headers were (a long download is
                // not a slow call).
                return (T) body.withOutcome(body.outcome().andThen(new BodyOutcome(key, breaker, took)));
              }
              breaker.onSuccess(took, breaker.getTimestampUnit());
              return value;
            })
        .onFailure(
            e -> {
              // Not origin faults (missing, archived...) are ignored: the permission is released.
              breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), e);
              remember(key, e);
            });
  }

  /** How many different objects may answer 403 in a row before the role itself is suspect. */
  static final int DENIED_OBJECTS_BEFORE_MISCONFIGURED = 3;

  /**
   * A 403 on one object while the role reads others is that object's business: missing (S3 hides
   * missing keys behind 403 when the role may not list) or forbidden. But when several different
   * objects answer 403 and nothing has been read since, the role lost its permissions — a
   * misconfiguration the customer must fix, shown as such in the health view.
   */
  private Throwable accessCheck(Key key, ObjectLocation loc, Throwable e) {
    if (!(e instanceof OriginException oe)
        || oe.kind() != OriginException.Kind.OBJECT_UNAVAILABLE
        || oe.originStatus().orElse(0) != 403) {
      return e;
    }
    Set<String> keys = denied.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    if (keys.size() < DENIED_OBJECTS_BEFORE_MISCONFIGURED) {
      keys.add(loc.key());
    }
    if (keys.size() < DENIED_OBJECTS_BEFORE_MISCONFIGURED) {
      return e;
    }
    return new OriginException(OriginException.Kind.MISCONFIGURED, e);
  }

  /** Reports one streamed body's end to its bucket's breaker, once. */
  private final class BodyOutcome implements ObjectBody.Outcome {
    private final Key key;
    private final CircuitBreaker breaker;
    private final long headersTook;
    private final AtomicBoolean settled = new AtomicBoolean();

    BodyOutcome(Key key, CircuitBreaker breaker, long headersTook) {
      this.key = key;
      this.breaker = breaker;
      this.headersTook = headersTook;
    }

    @Override
    public void succeeded() {
      if (settled.compareAndSet(false, true)) {
        breaker.onSuccess(headersTook, breaker.getTimestampUnit());
      }
    }

    @Override
    public void failed(Throwable failure) {
      if (settled.compareAndSet(false, true)) {
        breaker.onError(headersTook, breaker.getTimestampUnit(), failure);
        remember(key, failure);
      }
    }

    @Override
    public void abandoned() {
      if (settled.compareAndSet(false, true)) {
        breaker.releasePermission();
      }
    }

    /** A cut whose rest is asked for again is not counted: the call asking for it counts. */
    @Override
    public void resumed(Throwable failure) {
      abandoned();
    }
  }

  private Duration retryAfter(Key key) {
    Instant opened = openedAt.get(key);
    if (opened == null) {
      return openFor;
    }
    Duration left = Duration.between(clock.instant(), opened.plus(openFor));
    return left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left;
  }

  private CircuitBreaker breaker(ObjectLocation loc) {
    return breaker(new Key(loc.owner(), loc.bucket()));
  }

  private CircuitBreaker breaker(Key key) {
    return breakers.computeIfAbsent(
        key,
        k -> {
          CircuitBreaker breaker = registry.circuitBreaker(k.owner() + "@" + k.bucket().region() + "#" + breakerIds.incrementAndGet());
          breaker.getEventPublisher()
              .onStateTransition(
                  e -> {
                    if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                      openedAt.put(k, clock.instant());
                    }
                    // Once per transition; the bucket name is customer data and stays out of logs.
                    log.warn(
                        "circuit breaker for {} storage ({}): {}",
                        k.owner(), k.bucket().region(), e.getStateTransition());
                  });
          return breaker;
        });
  }
}
