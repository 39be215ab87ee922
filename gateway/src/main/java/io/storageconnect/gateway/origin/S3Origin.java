package io.storageconnect.gateway.origin;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.storageconnect.gateway.delivery.ByteRange;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Reads objects from S3 (or an S3-compatible endpoint) without blocking: HEAD answers cached in
 * Caffeine, ranged GETs as publishers, presigned GET URLs.
 *
 * <p>One Netty-based SDK HTTP client is shared by every bucket, so the connection pool has one
 * bound; one {@link S3AsyncClient} and {@link S3Presigner} exist per (region, endpoint,
 * credentials). The SDK runs on its own event loops (it cannot share Vert.x's, see
 * shared/STACK-NOTES.md); every returned {@link Future} completes on the calling Vert.x context.
 * Methods must be called on a Vert.x context and never block.
 */
public final class S3Origin implements AutoCloseable {
  /** SigV4 presigned URLs live at most 7 days. */
  static final Duration MAX_PRESIGN = Duration.ofDays(7);

  private final Vertx vertx;
  private final SdkAsyncHttpClient http;
  private final RoleCredentialSource roles;
  private final java.time.Clock clock;
  private final Duration credentialMargin;
  /**
   * The SDK gives a HEAD up (attempts and retries together) when the gateway's own first-byte
   * limit does, so a blackholed bucket is not asked again for an answer nobody waits for.
   */
  private final Duration headTimeout;
  private final ConcurrentMap<BucketAddress.ClientKey, Clients> clients = new ConcurrentHashMap<>();
  private final AsyncCache<MetaKey, ObjectMeta> metadata;
  /**
   * The metadata cache's statistics: a request looks once through {@link #cachedHead} (a hit is
   * counted there) and, on a miss, once more through {@link #head} (the miss is counted there).
   */
  private final com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter metadataStats =
      new com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter();
  private final DefaultCredentialsProvider defaultCredentials;

  /** One bucket address's SDK clients, and when a call last asked for them (for {@link #retire}). */
  private static final class Clients {
    private final S3AsyncClient s3;
    private final S3Presigner presigner;
    private final AwsCredentialsProvider credentials;
    private volatile long lastUsed = System.nanoTime();

    Clients(S3AsyncClient s3, S3Presigner presigner, AwsCredentialsProvider credentials) {
      this.s3 = s3;
      this.presigner = presigner;
      this.credentials = credentials;
    }

    S3AsyncClient s3() {
      return s3;
    }

    S3Presigner presigner() {
      return presigner;
    }

    AwsCredentialsProvider credentials() {
      return credentials;
    }
  }

  private record MetaKey(BucketAddress bucket, String key) {}

  /** One presigned answer: the same object, overrides, lifetime and signing key. */
  private record PresignKey(
      BucketAddress bucket, String key, Duration ttl, String disposition, String contentType, String accessKeyId,
      String sessionToken) {
    @Override
    public String toString() {
      return "PresignKey[" + key + "]"; // never the credentials
    }
  }

  private record Presigned(URI url, Duration reuseFor) {
    @Override
    public String toString() {
      return "Presigned[reuseFor=" + reuseFor + "]"; // never the signed URL
    }
  }

  /** A presigned URL is handed out again for at most this share of its lifetime... */
  static final int PRESIGN_REUSE_DIVISOR = 10;
  /** ...and never for longer than this. */
  static final Duration PRESIGN_REUSE_MAX = Duration.ofMinutes(1);

  private final com.github.benmanes.caffeine.cache.Cache<PresignKey, Presigned> presigned;
  private final OriginCall.Observer observer;
  private final software.amazon.awssdk.metrics.MetricPublisher sdkMetrics;
  /**
   * Shared by every bucket's SDK client. Left to itself the SDK gives each client its own pool
   * for completing futures (up to 50 threads) and its own scheduler for call timeouts, and each
   * role account has its own client: thousands of accounts would mean thousands of threads.
   * Completing a future here only hands it to a Vert.x context, so a few threads do.
   */
  private final java.util.concurrent.ThreadPoolExecutor sdkCompletions;
  private final java.util.concurrent.ScheduledThreadPoolExecutor sdkScheduler;

  /** The SDK HTTP client for all buckets (and STS): one pool, one bound. */
  public static SdkAsyncHttpClient httpClient(OriginOptions options) {
    return NettyNioAsyncHttpClient.builder()
        .maxConcurrency(options.maxConnections())
        .connectionTimeout(options.connectTimeout())
        // Backstops: the first-byte and mid-body limits are enforced above the SDK.
        .readTimeout(options.socketReadTimeout())
        .writeTimeout(options.socketReadTimeout())
        .connectionAcquisitionTimeout(options.acquireTimeout())
        .maxPendingConnectionAcquires(options.maxConnections() * 4)
        .build();
  }

  /**
   * @param http from {@link #httpClient}; closed with this origin
   * @param roles resolves customers' role credentials, or {@code null} when no bucket uses a role
   */
  public S3Origin(
      Vertx vertx, OriginOptions options, SdkAsyncHttpClient http, RoleCredentialSource roles, java.time.Clock clock, Ticker ticker) {
    this(vertx, options, http, roles, clock, ticker, OriginCall.Observer.NONE, null);
  }

  /**
   * @param observer told of every call on a bucket when it is over (the audit log, metrics)
   * @param sdkMetrics the SDK's own per-call metrics (connection pool, retries), or {@code null}
   */
  public S3Origin(
      Vertx vertx, OriginOptions options, SdkAsyncHttpClient http, RoleCredentialSource roles, java.time.Clock clock, Ticker ticker,
      OriginCall.Observer observer, software.amazon.awssdk.metrics.MetricPublisher sdkMetrics) {
    this.observer = observer;
    this.sdkMetrics = sdkMetrics;
    this.vertx = vertx;
    this.http = http;
    this.roles = roles;
    this.clock = clock;
    this.credentialMargin = options.credentialMargin();
    this.headTimeout = options.firstByteTimeout();
    this.metadata =
        Caffeine.newBuilder()
            .ticker(ticker)
            .expireAfterWrite(options.metadataTtl())
            .maximumSize(options.metadataCacheSize())
            .recordStats(() -> metadataStats)
            .buildAsync();
    this.defaultCredentials = DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.sdkCompletions = new java.util.concurrent.ThreadPoolExecutor(
        threads, threads, 60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(10_000),
        daemonThreads("s3-sdk-completion-"),
        // A full queue completes on the SDK's I/O thread: what runs there only hops to Vert.x.
        new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
    this.sdkCompletions.allowCoreThreadTimeOut(true);
    this.sdkScheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1, daemonThreads("s3-sdk-scheduler-"));
    // Call timeouts are scheduled for every HEAD and nearly all are cancelled: drop them at once.
    this.sdkScheduler.setRemoveOnCancelPolicy(true);
    this.presigned =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(options.metadataCacheSize())
            .expireAfter(com.github.benmanes.caffeine.cache.Expiry.creating((PresignKey k, Presigned v) -> v.reuseFor()))
            .recordStats()
            .build();
  }

  /**
   * The credentials to sign with, resolved without blocking, as a provider for one request.
   *
   * <p>Every SDK call is made only once its credentials are at hand: the SDK (2.59.1) joins the
   * identity future synchronously while building a request (ApplyUserAgentStage), so a pending
   * identity would block the calling event loop.
   */
  private Future<StaticCredentialsProvider> signer(BucketAddress bucket, Context context) {
    if (!clients.containsKey(bucket.clientKey())) {
      // Live connections' clients are built on a worker (start-up, admin API, reload); only a late
      // call for a retired address finds none (a resume, the next part of a multipart answer):
      // built on a worker too, since building one blocks.
      return vertx.executeBlocking(() -> clients(bucket), false).compose(built -> signer(bucket, context));
    }
    Clients clients = clients(bucket);
    Future<? extends AwsCredentialsIdentity> identity;
    if (clients.credentials() == defaultCredentials) {
      // The default chain resolves synchronously and may do I/O (instance metadata, SSO, files)
      // when its cached credentials are stale: on a worker thread, never an event loop.
      identity = vertx.executeBlocking(defaultCredentials::resolveCredentials, false);
    } else {
      CompletableFuture<? extends AwsCredentialsIdentity> resolved;
      try {
        resolved = clients.credentials().resolveIdentity();
      } catch (RuntimeException e) {
        resolved = CompletableFuture.failedFuture(e);
      }
      identity = Future.fromCompletionStage(resolved, context);
    }
    return identity
        .recover(e -> Future.failedFuture(
            e instanceof software.amazon.awssdk.core.exception.SdkClientException
                ? new io.storageconnect.gateway.failure.OriginException(io.storageconnect.gateway.failure.OriginException.Kind.MISCONFIGURED, e)
                : OriginErrors.classify(e)))
        .map(id -> StaticCredentialsProvider.create(awsCredentials(id)));
  }

  private static AwsCredentials awsCredentials(AwsCredentialsIdentity identity) {
    return identity instanceof AwsCredentials a ? a : AwsBasicCredentials.create(identity.accessKeyId(), identity.secretAccessKey());
  }

  /**
   * Object metadata, from the cache or a HEAD. A failed HEAD is not cached (Caffeine drops failed
   * futures), so the next request asks again.
   */
  public Future<ObjectMeta> head(OriginCall.Caller caller, BucketAddress bucket, String key) {
    Context context = vertx.getOrCreateContext();
    MetaKey metaKey = new MetaKey(bucket, key);
    // Map.get peeks without counting: the lookup below counts, once.
    CompletableFuture<ObjectMeta> cached = metadata.asMap().get(metaKey);
    if (cached != null) {
      metadataStats.recordHits(1);
      return Future.fromCompletionStage(cached, context).recover(OriginErrors::fail);
    }
    return signer(bucket, context)
        .compose(
            signer ->
                Future.fromCompletionStage(
                    metadata.get(metaKey, (k, executor) -> headObject(caller, OriginCall.Operation.HEAD, bucket, key, signer)), context))
        .recover(OriginErrors::fail);
  }

  /**
   * The cached metadata of an object, if a HEAD answer is at hand (no call to the bucket is
   * needed, so no circuit breaker needs asking).
   */
  public java.util.Optional<ObjectMeta> cachedHead(BucketAddress bucket, String key) {
    CompletableFuture<ObjectMeta> cached = metadata.asMap().get(new MetaKey(bucket, key));
    if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
      metadataStats.recordHits(1);
      return java.util.Optional.of(cached.join()); // done: does not wait
    }
    return java.util.Optional.empty(); // head() counts the miss
  }

  private CompletableFuture<ObjectMeta> headObject(
      OriginCall.Caller caller, OriginCall.Operation op, BucketAddress bucket, String key, StaticCredentialsProvider signer) {
    long start = System.nanoTime();
    return clients(bucket)
        .s3()
        .headObject(b -> b.bucket(bucket.bucket()).key(key).overrideConfiguration(o -> o.credentialsProvider(signer).apiCallTimeout(headTimeout)))
        .whenComplete((r, e) -> {
          if (e == null) {
            reportOk(caller, op, bucket, key, null, start, r, 0);
          } else {
            reportFailure(caller, op, bucket, key, null, start, e, 0);
          }
        })
        .thenApply(S3Origin::toMeta);
  }

  /**
   * Reports one GET when its body is over, once: whole, failed (with why), or abandoned by the
   * client. {@code durationNanos} of the template holds the start.
   */
  private final class GetReport implements ObjectBody.Outcome {
    final java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
    private final OriginCall template;

    GetReport(OriginCall template) {
      this.template = template;
    }

    private void report(String result) {
      if (reported.compareAndSet(false, true)) {
        OriginCall t = template;
        observe(new OriginCall(t.caller(), t.bucket(), t.key(), t.operation(), t.range(), t.status(), result, read.get(),
            t.s3RequestId(), t.s3ExtendedRequestId(), System.nanoTime() - t.durationNanos()));
      }
    }

    @Override
    public void succeeded() {
      report("ok");
    }

    @Override
    public void failed(Throwable failure) {
      report(OriginErrors.resultOf(OriginErrors.unwrap(failure)));
    }

    @Override
    public void abandoned() {
      report("cancelled");
    }
  }

  /** Tells the observer; its failure never fails the call it observes. */
  private void observe(OriginCall call) {
    try {
      observer.called(call);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(S3Origin.class).warn("origin call observer failed: {}", e.getClass().getSimpleName());
    }
  }

  /** The SDK says {@code UNKNOWN} for a request id the bucket did not send. */
  private static String known(String requestId) {
    return requestId == null || requestId.equals("UNKNOWN") ? null : requestId;
  }

  /** Reports a call that got its answer. */
  private void reportOk(
      OriginCall.Caller caller, OriginCall.Operation op, BucketAddress bucket, String key, String range, long start,
      software.amazon.awssdk.services.s3.model.S3Response response, long bytes) {
    var meta = response.responseMetadata();
    observe(new OriginCall(caller, bucket, key, op, range, response.sdkHttpResponse().statusCode(), "ok", bytes,
        known(meta.requestId()), known(meta.extendedRequestId()), System.nanoTime() - start));
  }

  /** Reports a call that failed, with the bucket's status, error code and request ids if it answered. */
  private void reportFailure(
      OriginCall.Caller caller, OriginCall.Operation op, BucketAddress bucket, String key, String range, long start, Throwable e,
      long bytes) {
    Throwable cause = OriginErrors.unwrap(e);
    int status = 0;
    String requestId = null;
    String extendedRequestId = null;
    if (cause instanceof software.amazon.awssdk.services.s3.model.S3Exception s3) {
      status = s3.statusCode();
      requestId = known(s3.requestId());
      extendedRequestId = known(s3.extendedRequestId());
    }
    observe(new OriginCall(caller, bucket, key, op, range, status, OriginErrors.resultOf(cause), bytes,
        requestId, extendedRequestId, System.nanoTime() - start));
  }

  /** Writes a small object (the preflight probe). */
  public Future<Void> putSmall(OriginCall.Caller caller, BucketAddress bucket, String key, byte[] content, String contentType) {
    Context context = vertx.getOrCreateContext();
    return signer(bucket, context)
        .compose(
            signer -> {
              long start = System.nanoTime();
              return Future.fromCompletionStage(
                  clients(bucket)
                      .s3()
                      .putObject(
                          b -> b.bucket(bucket.bucket()).key(key).contentType(contentType).overrideConfiguration(o -> o.credentialsProvider(signer)),
                          software.amazon.awssdk.core.async.AsyncRequestBody.fromBytes(content))
                      .whenComplete((r, e) -> {
                        if (e == null) {
                          reportOk(caller, OriginCall.Operation.PUT_PROBE, bucket, key, null, start, r, content.length);
                        } else {
                          reportFailure(caller, OriginCall.Operation.PUT_PROBE, bucket, key, null, start, e, 0);
                        }
                      }),
                  context);
            })
        .recover(OriginErrors::fail)
        .mapEmpty();
  }

  /** HEAD without the cache (the preflight must see the origin, not a cached answer). */
  public Future<ObjectMeta> headUncached(OriginCall.Caller caller, BucketAddress bucket, String key) {
    Context context = vertx.getOrCreateContext();
    return signer(bucket, context)
        .compose(signer -> Future.fromCompletionStage(headObject(caller, OriginCall.Operation.HEAD_PROBE, bucket, key, signer), context))
        .recover(OriginErrors::fail);
  }

  /** Reads a small object whole (the preflight probe). */
  public Future<byte[]> readSmall(OriginCall.Caller caller, BucketAddress bucket, String key) {
    Context context = vertx.getOrCreateContext();
    return signer(bucket, context)
        .compose(
            signer -> {
              long start = System.nanoTime();
              return Future.fromCompletionStage(
                  clients(bucket)
                      .s3()
                      .getObject(
                          b -> b.bucket(bucket.bucket()).key(key).overrideConfiguration(o -> o.credentialsProvider(signer)),
                          AsyncResponseTransformer.toBytes())
                      .whenComplete((r, e) -> {
                        if (e == null) {
                          reportOk(caller, OriginCall.Operation.GET_PROBE, bucket, key, null, start, r.response(), r.asByteArrayUnsafe().length);
                        } else {
                          reportFailure(caller, OriginCall.Operation.GET_PROBE, bucket, key, null, start, e, 0);
                        }
                      })
                      .thenApply(r -> r.asByteArray()),
                  context);
            })
        .recover(OriginErrors::fail);
  }

  public Future<Void> delete(OriginCall.Caller caller, BucketAddress bucket, String key) {
    Context context = vertx.getOrCreateContext();
    return signer(bucket, context)
        .compose(
            signer -> {
              long start = System.nanoTime();
              return Future.fromCompletionStage(
                  clients(bucket)
                      .s3()
                      .deleteObject(b -> b.bucket(bucket.bucket()).key(key).overrideConfiguration(o -> o.credentialsProvider(signer)))
                      .whenComplete((r, e) -> {
                        if (e == null) {
                          reportOk(caller, OriginCall.Operation.DELETE_PROBE, bucket, key, null, start, r, 0);
                        } else {
                          reportFailure(caller, OriginCall.Operation.DELETE_PROBE, bucket, key, null, start, e, 0);
                        }
                      }),
                  context);
            })
        .recover(OriginErrors::fail)
        .mapEmpty();
  }

  /** The caches, by name, for metrics (hit ratios, sizes). */
  public java.util.Map<String, com.github.benmanes.caffeine.cache.Cache<?, ?>> caches() {
    return java.util.Map.of("object_metadata", metadata.synchronous(), "presigned_urls", presigned);
  }

  /** Forgets the cached metadata of one object (it changed, or its state is now known to differ). */
  public void invalidate(BucketAddress bucket, String key) {
    metadata.synchronous().invalidate(new MetaKey(bucket, key));
  }

  /**
   * Starts a GET and completes when the response headers have arrived.
   *
   * @param range bytes to read, or {@code null} for the whole object
   * @param ifMatch the ETag the caller's decisions were based on, or {@code null}; a changed object
   *     then fails with {@link io.storageconnect.gateway.failure.OriginException.Kind#CHANGED}
   */
  public Future<ObjectBody> get(OriginCall.Caller caller, BucketAddress bucket, String key, ByteRange range, String ifMatch) {
    Context context = vertx.getOrCreateContext();
    return signer(bucket, context)
        .compose(
            signer -> {
              long start = System.nanoTime();
              String rangeHeader = range == null ? null : range.rangeHeader();
              GetObjectRequest.Builder request =
                  GetObjectRequest.builder().bucket(bucket.bucket()).key(key).overrideConfiguration(o -> o.credentialsProvider(signer));
              if (range != null) {
                request.range(range.rangeHeader());
              }
              if (ifMatch != null) {
                request.ifMatch(ifMatch);
              }
              var response =
                  clients(bucket)
                      .s3()
                      .getObject(request.build(), AsyncResponseTransformer.toPublisher())
                      .whenComplete((publisher, e) -> {
                        if (e != null) {
                          reportFailure(caller, OriginCall.Operation.GET, bucket, key, rangeHeader, start, e, 0);
                        }
                      })
                      .thenApply(
                          publisher -> {
                            var r = publisher.response();
                            long length = r.contentLength() == null ? -1 : r.contentLength();
                            // The call is over when its body is: reported then, with the bytes read.
                            var meta = r.responseMetadata();
                            GetReport report = new GetReport(new OriginCall(caller, bucket, key, OriginCall.Operation.GET, rangeHeader,
                                r.sdkHttpResponse().statusCode(), "ok", 0, known(meta.requestId()), known(meta.extendedRequestId()), start));
                            org.reactivestreams.Publisher<java.nio.ByteBuffer> body = publisher
                                .map(chunk -> {
                                  report.read.addAndGet(chunk.remaining());
                                  return chunk;
                                })
                                .doAfterOnComplete(report::succeeded)
                                .doAfterOnError(report::failed);
                            // A cancelled body is reported through its outcome, which says why (the
                            // client left, a timeout, a wrong length): the cancel alone cannot.
                            return new ObjectBody(length, r.contentRange(), r.eTag(), body, report);
                          });
              return Future.fromCompletionStage(response, context);
            })
        .recover(OriginErrors::fail);
  }

  /**
   * A presigned GET URL carrying the response overrides S3 applies to the answer. It never
   * outlives the credentials that sign it: its lifetime is the least of {@code ttl}, the
   * credentials' remaining lifetime minus the configured margin, and 7 days (the SDK does not
   * clamp to session credentials itself, aws-sdk-java-v2#2379). Credentials are resolved
   * asynchronously first, so signing itself does not block.
   *
   * <p>The same URL is handed out again for a tenth of its lifetime (at most a minute) to requests
   * for the same object, overrides and signing key, so every URL a client receives has at least
   * nine tenths of its lifetime left; new credentials (another key or session) sign anew.
   */
  public Future<URI> presign(
      OriginCall.Caller caller, BucketAddress bucket, String key, Duration ttl, String contentDisposition, String contentType) {
    Context context = vertx.getOrCreateContext();
    return signer(bucket, context)
        .map(
            signer -> {
              Clients c = clients(bucket);
              AwsCredentials identity = signer.resolveCredentials();
              // The redirect hot path: a URL signed moments ago for the same object, overrides and
              // signing key is handed out again (signing costs more than the rest of a redirect).
              PresignKey cacheKey = new PresignKey(bucket, key, ttl, contentDisposition, contentType, identity.accessKeyId(),
                  identity instanceof software.amazon.awssdk.auth.credentials.AwsSessionCredentials session ? session.sessionToken() : "");
              Presigned reusable = presigned.getIfPresent(cacheKey);
              if (reusable != null) {
                observe(new OriginCall(caller, bucket, key, OriginCall.Operation.PRESIGN, null, 0, "reused", 0, null, null, 0));
                return reusable.url();
              }
              long start = System.nanoTime();
              Duration lifetime = presignLifetime(ttl, identity.expirationTime().orElse(null));
              AwsCredentials signing = identity;
              GetObjectRequest request =
                  GetObjectRequest.builder()
                      .bucket(bucket.bucket())
                      .key(key)
                      .responseContentDisposition(contentDisposition)
                      .responseContentType(contentType)
                      .overrideConfiguration(o -> o.credentialsProvider(StaticCredentialsProvider.create(signing)))
                      .build();
              try {
                URI url = c.presigner()
                    .presignGetObject(p -> p.signatureDuration(lifetime).getObjectRequest(request))
                    .url()
                    .toURI();
                Duration reuse = lifetime.dividedBy(PRESIGN_REUSE_DIVISOR);
                presigned.put(cacheKey, new Presigned(url, reuse.compareTo(PRESIGN_REUSE_MAX) > 0 ? PRESIGN_REUSE_MAX : reuse));
                observe(new OriginCall(caller, bucket, key, OriginCall.Operation.PRESIGN, null, 0, "ok", 0, null, null,
                    System.nanoTime() - start));
                return url;
              } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException("presigner produced an invalid URL", e);
              }
            });
  }

  /** min(requested, credentials' remaining lifetime - margin, 7 days); fails when nothing is left. */
  Duration presignLifetime(Duration requested, java.time.Instant credentialsExpire) {
    Duration lifetime = requested.compareTo(MAX_PRESIGN) > 0 ? MAX_PRESIGN : requested;
    if (credentialsExpire != null) {
      Duration left = Duration.between(clock.instant(), credentialsExpire).minus(credentialMargin);
      if (left.compareTo(lifetime) < 0) {
        lifetime = left;
      }
    }
    if (lifetime.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new io.storageconnect.gateway.failure.OriginException(
          io.storageconnect.gateway.failure.OriginException.Kind.UNAVAILABLE,
          new IllegalStateException("credentials too close to expiry to presign"));
    }
    return lifetime;
  }

  /**
   * Builds the SDK clients for these buckets now. Building an SDK client loads and initialises a
   * great deal (class loading, endpoint rules): it may block, so call this from a worker thread at
   * start-up, never from an event loop.
   */
  public void prepare(java.util.Collection<BucketAddress> buckets) {
    buckets.forEach(this::clients);
    if (buckets.stream().anyMatch(b -> b.credentials() == null && b.role() == null)) {
      try {
        // The default chain's first lookup may do I/O (profile files, IMDS); do it here, once.
        defaultCredentials.resolveCredentials();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(S3Origin.class)
            .warn("no default AWS credentials found yet ({}); buckets without keys or role will fail", e.getClass().getSimpleName());
      }
    }
  }

  private Clients clients(BucketAddress bucket) {
    // A lookup takes no lock (every S3 call makes two). A call racing retire may use a client
    // closed a moment before: harmless, a closed client of this origin still calls and signs
    // (its HTTP client, executors and credentials are not its own).
    Clients c = clients.get(bucket.clientKey());
    if (c == null) {
      c = clients.computeIfAbsent(bucket.clientKey(), this::newClients);
    }
    c.lastUsed = System.nanoTime();
    return c;
  }

  /** SDK clients held: one per region, endpoint and credentials (each role account has its own). */
  public int clientCount() {
    return clients.size();
  }

  /**
   * Closes the SDK clients that no bucket in {@code live} signs with and that no call has asked for
   * within {@code idle}: those of storage connections replaced or removed since, and of admin
   * preflights of connections never saved. Without this every change of a connection's role,
   * region or keys would leave a client behind for good. A body still streaming through a retired
   * client is not disturbed (the HTTP client and its connections are shared, and stay open); a
   * late call for a retired address builds a new client on a worker, retired again once idle.
   *
   * <p>Closing a client may block briefly: call from a worker thread.
   *
   * @return how many were closed
   */
  public int retire(java.util.Collection<BucketAddress> live, Duration idle) {
    java.util.Set<BucketAddress.ClientKey> keep = new java.util.HashSet<>();
    live.forEach(b -> keep.add(b.clientKey()));
    java.util.List<Clients> unused = new java.util.ArrayList<>();
    for (BucketAddress.ClientKey key : clients.keySet()) {
      if (!keep.contains(key)) {
        clients.computeIfPresent(key, (k, c) -> {
          if (System.nanoTime() - c.lastUsed >= idle.toNanos()) {
            unused.add(c);
            return null;
          }
          return c;
        });
      }
    }
    for (Clients c : unused) {
      c.s3().close();
      c.presigner().close();
    }
    return unused.size();
  }

  private Clients newClients(BucketAddress.ClientKey key) {
    AwsCredentialsProvider credentials;
    if (key.role() != null) {
      credentials = roleProvider(key.role());
    } else if (key.credentials() != null) {
      credentials =
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(key.credentials().accessKeyId(), key.credentials().secretAccessKey()));
    } else {
      credentials = defaultCredentials;
    }
    Region region = Region.of(key.region());
    boolean pathStyle = key.endpoint() != null;
    // A client closes its credentials provider with it (see retire): the default chain is shared,
    // so each client gets a view of it that cannot be closed.
    AwsCredentialsProvider own = credentials == defaultCredentials ? unclosable(defaultCredentials) : credentials;
    var s3 =
        S3AsyncClient.builder()
            .httpClient(http)
            .region(region)
            .credentialsProvider(own)
            .forcePathStyle(pathStyle)
            // Checksums only where S3 requires them: ranged reads carry none, and S3-compatible
            // endpoints do not all speak the newer checksum headers.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    s3.asyncConfiguration(a -> a.advancedOption(
            software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, sdkCompletions))
        .overrideConfiguration(o -> {
          o.scheduledExecutorService(sdkScheduler);
          if (sdkMetrics != null) {
            o.addMetricPublisher(sdkMetrics);
          }
        });
    var presigner =
        S3Presigner.builder()
            .region(region)
            .credentialsProvider(own)
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
    if (key.endpoint() != null) {
      s3.endpointOverride(key.endpoint());
      presigner.endpointOverride(key.endpoint());
    }
    return new Clients(s3.build(), presigner.build(), credentials);
  }

  /** {@code shared}, without its {@code close} (not AutoCloseable: the SDK leaves it open). */
  private static AwsCredentialsProvider unclosable(AwsCredentialsProvider shared) {
    return new AwsCredentialsProvider() {
      @Override
      public AwsCredentials resolveCredentials() {
        return shared.resolveCredentials();
      }

      @Override
      public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(
          software.amazon.awssdk.identity.spi.ResolveIdentityRequest request) {
        return shared.resolveIdentity(request).thenApply(c -> c);
      }
    };
  }

  /**
   * Signs with a customer's role credentials. The async SDK client resolves identities through
   * {@code resolveIdentity}, which waits on nothing; the synchronous path answers only from
   * credentials already at hand and never blocks an event loop.
   */
  private AwsCredentialsProvider roleProvider(BucketAddress.Role role) {
    if (roles == null) {
      throw new IllegalStateException("a bucket uses a role but no role credential source is configured");
    }
    return new AwsCredentialsProvider() {
      @Override
      public AwsCredentials resolveCredentials() {
        CompletableFuture<AwsSessionCredentials> f = roles.credentials(role.accountId(), role.roleArn());
        if (f.isDone() && !f.isCompletedExceptionally()) {
          return f.join();
        }
        throw software.amazon.awssdk.core.exception.SdkClientException.create("role credentials are not available yet");
      }

      @Override
      public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(
          software.amazon.awssdk.identity.spi.ResolveIdentityRequest request) {
        return roles.credentials(role.accountId(), role.roleArn()).thenApply(c -> c);
      }
    };
  }

  private static ObjectMeta toMeta(HeadObjectResponse r) {
    return new ObjectMeta(
        r.contentLength() == null ? 0 : r.contentLength(),
        r.eTag(),
        r.lastModified(),
        r.contentType(),
        r.storageClassAsString() == null ? "STANDARD" : r.storageClassAsString(),
        r.restore(),
        r.archiveStatusAsString());
  }

  @Override
  public void close() {
    clients.values().forEach(c -> {
      c.s3().close();
      c.presigner().close();
    });
    http.close();
    defaultCredentials.close();
    sdkCompletions.shutdown();
    sdkScheduler.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return task -> {
      Thread t = new Thread(task, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
