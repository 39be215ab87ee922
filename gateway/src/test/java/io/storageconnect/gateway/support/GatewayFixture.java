package io.storageconnect.gateway.support;

import io.storageconnect.gateway.Gateway;
import io.storageconnect.gateway.config.GatewayConfig;
import io.storageconnect.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running gateway for component tests: the real verticle on an ephemeral port, configured from
 * YAML like production, against S3Proxy in-process with {@link TestData}, optionally through a
 * {@link FaultProxy} in front of the customer bucket; plus a real HTTP client (java.net.http).
 *
 * <p>One fixture per test class ({@code @BeforeAll}), closed in {@code @AfterAll}.
 */
public final class GatewayFixture implements AutoCloseable {
  public final Vertx vertx;
  public final S3Server s3;
  public final FaultProxy customerProxy;
  public final Tokens tokens;
  public final Gateway gateway;
  public final HttpClient http;
  /** The loopback STS, in role mode; else {@code null}. */
  public final StsServer sts;
  public final Path dir;
  public final GatewayMetrics metrics;

  private GatewayFixture(
      Vertx vertx, S3Server s3, FaultProxy proxy, Tokens tokens, Gateway gateway, Path dir, StsServer sts, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.s3 = s3;
    this.customerProxy = proxy;
    this.tokens = tokens;
    this.gateway = gateway;
    this.dir = dir;
    this.sts = sts;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  public static final String ORIGIN_SECRET = "cdn-origin-secret-0123456789abcdef0123";

  /** Starts with default settings and the customer bucket reached directly. */
  public static GatewayFixture start() throws Exception {
    return start(Map.of(), false);
  }

  /**
   * @param env configuration overrides, as environment variables ({@code GATEWAY_...})
   * @param faultProxy put a {@link FaultProxy} between the gateway and the customer bucket
   */
  public static GatewayFixture start(Map<String, String> env, boolean faultProxy) throws Exception {
    return start(env, faultProxy, false, java.time.Clock.systemUTC());
  }

  /**
   * As {@link #start(Map, boolean)}, with the circuit breakers on {@code breakerClock}: a test
   * moves a {@link FakeTime} past the open period instead of sleeping.
   */
  public static GatewayFixture start(Map<String, String> env, boolean faultProxy, java.time.Clock breakerClock) throws Exception {
    return start(env, faultProxy, false, breakerClock);
  }

  /** The acme account's role, trusted for sub=acme by the loopback STS. */
  public static final String ACME_ROLE = "arn:aws:iam::123456789012:role/storage-connect/acme-media-access";
  public static final String ADMIN_TOKEN = "admin-token-0123456789abcdef0123456789";

  /**
   * Role mode: acme reaches its bucket through {@link #ACME_ROLE}, assumed at a loopback
   * {@link StsServer} with web identity tokens of the gateway's own OIDC issuer (served by the
   * gateway under test); account "mallory" is (mis)configured with acme's role. The admin API is on.
   */
  public static GatewayFixture startWithRoles(Map<String, String> env) throws Exception {
    return start(env, false, true, java.time.Clock.systemUTC());
  }

  /** As {@link #startWithRoles(Map)}, with a {@link FaultProxy} in front of the customer bucket. */
  public static GatewayFixture startWithRolesBehindFaultProxy(Map<String, String> env) throws Exception {
    return start(env, true, true, java.time.Clock.systemUTC());
  }

  /**
   * With {@link DemoMedia} as well (real H.264 video): its original in acme's bucket, reached
   * directly; globex's bucket down ({@link DemoMedia#DOWN_ENDPOINT} refuses every connection),
   * so {@link DemoMedia#OFFLINE_VIDEO} plays only from its managed proxy.
   */
  public static GatewayFixture startWithDemoMedia(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("GATEWAY_ACCOUNTS_GLOBEX_ENDPOINT", DemoMedia.DOWN_ENDPOINT);
    return start(all, false, false, java.time.Clock.systemUTC(), true);
  }

  private static GatewayFixture start(Map<String, String> env, boolean faultProxy, boolean roles, java.time.Clock breakerClock)
      throws Exception {
    return start(env, faultProxy, roles, breakerClock, false);
  }

  private static GatewayFixture start(
      Map<String, String> env, boolean faultProxy, boolean roles, java.time.Clock breakerClock, boolean demoMedia)
      throws Exception {
    // As in production: Vert.x reports its HTTP server into the registry /metrics shows.
    GatewayMetrics metrics = GatewayMetrics.create();
    Vertx vertx = metrics.vertx(new VertxOptions().setBlockedThreadCheckInterval(500).setMaxEventLoopExecuteTime(TimeUnit.MILLISECONDS.toNanos(2000)).setMaxEventLoopExecuteTimeUnit(TimeUnit.NANOSECONDS));
    S3Server s3 = S3Server.start();
    TestData.seed(s3);
    if (demoMedia) {
      DemoMedia.seed(s3);
    }
    FaultProxy proxy = faultProxy ? await(FaultProxy.start(vertx, "127.0.0.1", s3.port())) : null;
    URI customerEndpoint = proxy != null ? URI.create(proxy.endpoint()) : s3.endpoint();
    Tokens tokens = new Tokens(vertx);
    Path dir = Files.createTempDirectory("gateway-test-");
    Files.writeString(dir.resolve("viewer-key.pem"), tokens.publicKeyPem());
    String catalog = TestData.catalogYaml() + (demoMedia ? String.join("\n", DemoMedia.catalogLines()) + "\n" : "");
    String yaml = configYaml(s3.endpoint(), customerEndpoint);
    StsServer sts = null;
    PortReservation reserved = null;
    if (roles) {
      // The issuer URL names the gateway's port: reserve it until the gateway listens on it.
      reserved = PortReservation.reserve();
      int port = reserved.port();
      String issuer = "http://127.0.0.1:" + port + "/oidc";
      sts = await(StsServer.start(vertx, S3Server.ACCESS_KEY, S3Server.SECRET_KEY));
      sts.trust(ACME_ROLE, issuer, "sts.amazonaws.com", TestData.ACCOUNT);
      Files.writeString(dir.resolve("oidc-signing.pem"), rsaPkcs8Pem());
      Files.writeString(dir.resolve("oidc-next.pem"), rsaPkcs8Pem());
      String staticAcme =
          "    prefix: /" + TestData.PREFIX + "\n    endpoint: " + customerEndpoint + "\n    credentials: { accessKeyId: "
              + S3Server.ACCESS_KEY + ", secretAccessKey: " + S3Server.SECRET_KEY + " }\n";
      if (!yaml.contains(staticAcme)) {
        throw new IllegalStateException("role mode: acme's static credentials not found in:\n" + yaml);
      }
      yaml = yaml.replace("port: 0", "port: " + port)
          .replace(staticAcme, "    prefix: /" + TestData.PREFIX + "\n    endpoint: " + customerEndpoint + "\n    roleArn: " + ACME_ROLE + "\n")
          + String.join("\n",
              "  mallory:",
              "    region: us-east-1",
              "    bucket: " + TestData.CUSTOMER_BUCKET,
              "    endpoint: " + customerEndpoint,
              "    roleArn: " + ACME_ROLE,
              "oidc:",
              "  issuer: " + issuer,
              "  keys:",
              "    - { path: oidc-next.pem, use: publish }",
              "    - { path: oidc-signing.pem, use: sign }",
              "sts:",
              "  endpoint: " + sts.endpoint(),
              "  instanceName: test-gw",
              "  initialBackoff: 5s",
              "  maxBackoff: 20s",
              "admin:",
              "  token: " + ADMIN_TOKEN,
              "  connectionsFile: connections.json",
              "  migrationPrincipalArn: arn:aws:iam::999999999999:role/platform-migration",
              "");
      catalog += "  - id: mallory-clip\n    account: mallory\n    key: \"" + TestData.PREFIX + "originals/clip.mp4\"\n";
    }
    Files.writeString(dir.resolve("catalog.yaml"), catalog);
    Files.writeString(dir.resolve("gateway.yaml"), yaml);
    Map<String, String> allEnv = new HashMap<>(env);
    // No file poll unless a test asks for one: a reload between two admin calls would only be noise.
    allEnv.putIfAbsent("GATEWAY_RELOAD_INTERVAL", "0");
    var source = new io.storageconnect.gateway.config.ConfigSource(dir.resolve("gateway.yaml").toAbsolutePath(), allEnv);
    GatewayConfig config = source.parse(Files.readString(source.file()));
    Gateway gateway;
    try {
      gateway = await(Gateway.start(vertx, config, breakerClock, source, metrics));
    } finally {
      if (reserved != null) {
        reserved.close();
      }
    }
    return new GatewayFixture(vertx, s3, proxy, tokens, gateway, dir, sts, metrics);
  }

  static String rsaPkcs8Pem() throws Exception {
    var generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
    return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  static String configYaml(URI managedEndpoint, URI customerEndpoint) {
    return """
        server:
          host: 127.0.0.1
          port: 0
          instances: 2
        auth:
          issuer: %s
          audiences: [%s]
          keys:
            - { algorithm: RS256, path: viewer-key.pem }
          leeway: 5s
          originSecret: %s
        delivery:
          defaultMode: redirect
          allowOverride: true
          presignTtl: 10m
          cacheControl: "private, max-age=3600"
        origin:
          connectTimeout: 2s
          readTimeout: 5s
          metadataTtl: 2s
        catalog:
          file: catalog.yaml
        managed:
          region: us-east-1
          bucket: %s
          endpoint: %s
          credentials: { accessKeyId: %s, secretAccessKey: %s }
        accounts:
          acme:
            region: us-east-1
            bucket: %s
            prefix: /%s
            endpoint: %s
            credentials: { accessKeyId: %s, secretAccessKey: %s }
          globex:
            region: us-east-1
            bucket: %s
            prefix: globex
            endpoint: %s
            credentials: { accessKeyId: %s, secretAccessKey: %s }
            delivery: { mode: stream, allowOverride: false }
        """
        .formatted(
            Tokens.ISSUER, Tokens.AUDIENCE, ORIGIN_SECRET,
            TestData.MANAGED_BUCKET, managedEndpoint, S3Server.ACCESS_KEY, S3Server.SECRET_KEY,
            TestData.CUSTOMER_BUCKET, TestData.PREFIX, customerEndpoint, S3Server.ACCESS_KEY, S3Server.SECRET_KEY,
            TestData.OTHER_BUCKET, managedEndpoint, S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery);
  }

  /** A request builder for a gateway path, with the given bearer token (or none when null). */
  public HttpRequest.Builder request(String pathAndQuery, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  public HttpResponse<byte[]> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** GET with a token and extra headers as name, value pairs. */
  public HttpResponse<byte[]> get(String pathAndQuery, String token, String... headers) throws Exception {
    HttpRequest.Builder b = request(pathAndQuery, token).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  public HttpResponse<byte[]> head(String pathAndQuery, String token, String... headers) throws Exception {
    HttpRequest.Builder b = request(pathAndQuery, token).method("HEAD", HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  public static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    await(gateway.stop());
    if (sts != null) {
      sts.close();
    }
    if (customerProxy != null) {
      customerProxy.close();
    }
    await(vertx.close());
    metrics.close();
    s3.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
