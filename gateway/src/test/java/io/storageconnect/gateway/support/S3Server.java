package io.storageconnect.gateway.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * A real S3-compatible server in-process: S3Proxy on a loopback ephemeral port with a filesystem
 * store (so a sparse multi-GiB file costs nothing), SigV4 authentication, and an SDK client for
 * setting up fixtures. Test and demo code only; blocking calls here run on the test thread.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "AKIDSTORAGECONNECTTEST";
  public static final String SECRET_KEY = "storage-connect-test-secret-key-0123456789";
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final Path baseDir;
  private final boolean deleteOnClose;
  private final S3AsyncClient client;

  private S3Server(S3Proxy proxy, Path baseDir, boolean deleteOnClose) {
    this.proxy = proxy;
    this.baseDir = baseDir;
    this.deleteOnClose = deleteOnClose;
    this.client =
        S3AsyncClient.builder()
            .region(Region.of(REGION))
            .endpointOverride(endpoint())
            .forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .build();
  }

  /** Starts on a fresh temporary directory, deleted on close. */
  public static S3Server start() throws Exception {
    return start(Files.createTempDirectory("s3proxy-"), true, 0);
  }

  /** Starts on {@code baseDir} (kept on close) at {@code port} (0 for any). */
  public static S3Server start(Path baseDir, boolean deleteOnClose, int port) throws Exception {
    Files.createDirectories(baseDir);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(new FilesystemNio2BlobStore(baseDir.toString()))
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // Without it, requests carrying x-amz-security-token (session credentials) get 501.
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      if ("FAILED".equals(proxy.getState())) {
        throw new IllegalStateException("S3Proxy failed to start");
      }
      Thread.onSpinWait();
    }
    return new S3Server(proxy, baseDir, deleteOnClose);
  }

  public int port() {
    return proxy.getPort();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public S3AsyncClient client() {
    return client;
  }

  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket)).join();
  }

  public void put(String bucket, String key, byte[] content, String contentType) {
    put(bucket, key, content, contentType, null);
  }

  public void put(String bucket, String key, byte[] content, String contentType, StorageClass storageClass) {
    client
        .putObject(
            b -> {
              b.bucket(bucket).key(key);
              if (contentType != null) {
                b.contentType(contentType);
              }
              if (storageClass != null) {
                b.storageClass(storageClass);
              }
            },
            AsyncRequestBody.fromBytes(content))
        .join();
  }

  public void put(String bucket, String key, Path file, String contentType) {
    client.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), AsyncRequestBody.fromFile(file)).join();
  }

  /**
   * Writes a sparse file of {@code size} bytes straight into the store, with {@code marker} bytes
   * at {@code markerOffset}: large objects for 64-bit offset tests without using disk. Such an
   * object has no ETag (S3Proxy computes none for it).
   */
  public void putSparse(String bucket, String key, long size, long markerOffset, byte[] marker) throws IOException {
    Path file = baseDir.resolve(bucket).resolve(key);
    Files.createDirectories(file.getParent());
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
      raf.seek(markerOffset);
      raf.write(marker);
    }
  }

  @Override
  public void close() throws Exception {
    client.close();
    proxy.stop();
    if (deleteOnClose) {
      try (Stream<Path> files = Files.walk(baseDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
