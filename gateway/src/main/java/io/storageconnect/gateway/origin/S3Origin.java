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
  private final Vertx vertx;
  private final SdkAsyncHttpClient http;
  private final ConcurrentMap<BucketAddress.ClientKey, Clients> clients = new ConcurrentHashMap<>();
  private final AsyncCache<MetaKey, ObjectMeta> metadata;
  private final DefaultCredentialsProvider defaultCredentials;

  private record Clients(S3AsyncClient s3, S3Presigner presigner) {}

  private record MetaKey(BucketAddress bucket, String key) {}

  public S3Origin(Vertx vertx, OriginOptions options, Ticker ticker) {
    this.vertx = vertx;
    this.http =
        NettyNioAsyncHttpClient.builder()
            .maxConcurrency(options.maxConnections())
            .connectionTimeout(options.connectTimeout())
            .readTimeout(options.readTimeout())
            .writeTimeout(options.readTimeout())
            .connectionAcquisitionTimeout(options.acquireTimeout())
            .maxPendingConnectionAcquires(options.maxConnections() * 4)
            .build();
    this.metadata =
        Caffeine.newBuilder()
            .ticker(ticker)
            .expireAfterWrite(options.metadataTtl())
            .maximumSize(options.metadataCacheSize())
            .buildAsync();
    this.defaultCredentials = DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
  }

  /**
   * Object metadata, from the cache or a HEAD. A failed HEAD is not cached (Caffeine drops failed
   * futures), so the next request asks again.
   */
  public Future<ObjectMeta> head(BucketAddress bucket, String key) {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<ObjectMeta> meta =
        metadata.get(
            new MetaKey(bucket, key),
            (k, executor) ->
                clients(bucket)
                    .s3()
                    .headObject(b -> b.bucket(bucket.bucket()).key(key))
                    .thenApply(S3Origin::toMeta));
    return Future.fromCompletionStage(meta, context).recover(OriginErrors::fail);
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
  public Future<ObjectBody> get(BucketAddress bucket, String key, ByteRange range, String ifMatch) {
    Context context = vertx.getOrCreateContext();
    GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket.bucket()).key(key);
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
            .thenApply(
                publisher -> {
                  var r = publisher.response();
                  long length = r.contentLength() == null ? -1 : r.contentLength();
                  return new ObjectBody(length, r.contentRange(), r.eTag(), publisher);
                });
    return Future.fromCompletionStage(response, context).recover(OriginErrors::fail);
  }

  /**
   * A presigned GET URL carrying the response overrides S3 applies to the answer. Pure computation
   * for static credentials; the default chain refreshes asynchronously, so this does not block.
   */
  public URI presign(
      BucketAddress bucket, String key, Duration ttl, String contentDisposition, String contentType) {
    GetObjectRequest request =
        GetObjectRequest.builder()
            .bucket(bucket.bucket())
            .key(key)
            .responseContentDisposition(contentDisposition)
            .responseContentType(contentType)
            .build();
    try {
      return clients(bucket)
          .presigner()
          .presignGetObject(p -> p.signatureDuration(ttl).getObjectRequest(request))
          .url()
          .toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("presigner produced an invalid URL", e);
    }
  }

  /**
   * Builds the SDK clients for these buckets now. Building an SDK client loads and initialises a
   * great deal (class loading, endpoint rules): it may block, so call this from a worker thread at
   * start-up, never from an event loop.
   */
  public void prepare(java.util.Collection<BucketAddress> buckets) {
    buckets.forEach(this::clients);
  }

  private Clients clients(BucketAddress bucket) {
    return clients.computeIfAbsent(bucket.clientKey(), this::newClients);
  }

  private Clients newClients(BucketAddress.ClientKey key) {
    AwsCredentialsProvider credentials =
        key.credentials() == null
            ? defaultCredentials
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.credentials().accessKeyId(), key.credentials().secretAccessKey()));
    Region region = Region.of(key.region());
    boolean pathStyle = key.endpoint() != null;
    var s3 =
        S3AsyncClient.builder()
            .httpClient(http)
            .region(region)
            .credentialsProvider(credentials)
            .forcePathStyle(pathStyle)
            // Checksums only where S3 requires them: ranged reads carry none, and S3-compatible
            // endpoints do not all speak the newer checksum headers.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    var presigner =
        S3Presigner.builder()
            .region(region)
            .credentialsProvider(credentials)
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
    if (key.endpoint() != null) {
      s3.endpointOverride(key.endpoint());
      presigner.endpointOverride(key.endpoint());
    }
    return new Clients(s3.build(), presigner.build());
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
  }
}
