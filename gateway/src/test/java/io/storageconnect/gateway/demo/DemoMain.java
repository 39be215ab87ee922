package io.storageconnect.gateway.demo;

import io.storageconnect.gateway.Gateway;
import io.storageconnect.gateway.config.ConfigParser;
import io.storageconnect.gateway.config.GatewayConfig;
import io.storageconnect.gateway.support.S3Server;
import io.storageconnect.gateway.support.Tokens;
import io.vertx.core.Vertx;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The README's first command: a complete local set-up with no AWS account. Starts S3Proxy on
 * loopback with a filesystem store under {@code target/demo}, creates a customer bucket and the
 * managed bucket, uploads the sample media (a real H.264/AAC clip, its renditions, a thumbnail and
 * files with awkward names), writes the catalog and a configuration file, starts the gateway from
 * that configuration exactly as production does, and prints ready-made tokens and commands.
 *
 * <p>Lives in test sources so that S3Proxy never reaches the production artifact.
 */
public final class DemoMain {
  static final String ACCOUNT = "acme";
  static final String CUSTOMER_BUCKET = "acme-originals";
  static final String MANAGED_BUCKET = "platform-managed";
  static final String PREFIX = "storage-connect/acme/";
  /** A second account whose bucket never answers (connection refused): playback falls back. */
  static final String OFFLINE_ACCOUNT = "globex";

  private DemoMain() {}

  public static void main(String[] args) throws Exception {
    try {
      run();
    } catch (Exception | Error e) {
      // S3Proxy's threads would keep a half-started demo alive: end it.
      System.err.println("The demo could not start: " + e);
      System.exit(1);
    }
  }

  private static void run() throws Exception {
    if ("true".equals(System.getenv("DEMO_STOP_ON_STDIN_EOF"))) {
      // Started by a harness (loadtest/): end with it, even when it dies without a word.
      Thread watcher = new Thread(() -> {
        try {
          while (System.in.read() >= 0) {
            // Nothing is expected on stdin; only its end matters.
          }
        } catch (java.io.IOException ignored) {
          // Treated as the end.
        }
        System.exit(0);
      }, "demo-stdin-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }
    // Before the first logger: the readable production layout, not the test one.
    System.setProperty("logback.configurationFile", "logback-demo.xml");
    // DEMO_HOME lets the load-test harness run its own copy beside a running demo.
    Path home = Path.of(System.getenv().getOrDefault("DEMO_HOME", Path.of("target", "demo").toString())).toAbsolutePath();
    deleteTree(home);
    Files.createDirectories(home);
    Path media = mediaDir();

    S3Server s3 = S3Server.start(home.resolve("s3"), false, 0);
    s3.createBucket(CUSTOMER_BUCKET);
    s3.createBucket(MANAGED_BUCKET);

    Map<String, DemoAsset> assets = new LinkedHashMap<>();
    assets.put("demo-video", new DemoAsset("originals/Big Buck Test (final cut) #1.mp4", "video/mp4",
        Map.of("h264_540p", "renditions/h264_540p.mp4", "h264_360p", "renditions/h264_360p.mp4"), "thumbnails/thumb.jpg"));
    assets.put("space-plus", new DemoAsset("originals/space and+plus.mp4", "video/mp4", Map.of(), null));
    assets.put("percent-parens", new DemoAsset("originals/100% real (v2).mp4", "video/mp4", Map.of(), null));
    assets.put("unicode", new DemoAsset("originals/Ünïcødé 東京.mp4", "video/mp4", Map.of(), null));
    assets.put("quote-semicolon", new DemoAsset("originals/quote\"semi;colon.txt", "text/plain; charset=utf-8", Map.of(), null));

    List<String> catalog = new ArrayList<>(List.of("assets:"));
    for (var e : assets.entrySet()) {
      DemoAsset a = e.getValue();
      // Stored as many upload tools do, binary/octet-stream: the catalog names the media type.
      s3.put(CUSTOMER_BUCKET, PREFIX + a.original(), media.resolve(a.original().replaceFirst("^originals/", "original/")), "binary/octet-stream");
      catalog.add("  - id: " + e.getKey());
      catalog.add("    account: " + ACCOUNT);
      catalog.add("    key: " + yaml(a.original()));
      catalog.add("    fileName: " + yaml(a.original().substring(a.original().lastIndexOf('/') + 1)));
      catalog.add("    contentType: " + yaml(a.contentType()));
      if (!a.renditions().isEmpty()) {
        catalog.add("    renditions:");
        for (var r : a.renditions().entrySet()) {
          String managedKey = "renditions/" + e.getKey() + "/" + r.getKey() + ".mp4";
          s3.put(MANAGED_BUCKET, managedKey, media.resolve(r.getValue()), "video/mp4");
          catalog.add("      " + r.getKey() + ": " + yaml(managedKey));
        }
      }
      if (a.thumbnail() != null) {
        String managedKey = "thumbnails/" + e.getKey() + ".jpg";
        s3.put(MANAGED_BUCKET, managedKey, media.resolve(a.thumbnail()), "image/jpeg");
        catalog.add("    thumbnail: " + yaml(managedKey));
      }
    }
    // For the streaming benchmark (loadtest/bench.sh, the Gatling player and origin-pull simulations): a large sparse object, cheap on disk.
    String largeMb = System.getenv("DEMO_LARGE_OBJECT_MB");
    if (largeMb != null && Long.parseLong(largeMb) > 0) {
      long size = Long.parseLong(largeMb) * 1024 * 1024;
      s3.putSparse(CUSTOMER_BUCKET, PREFIX + "originals/large.bin", size, size - 8, "THE-END.".getBytes(StandardCharsets.US_ASCII));
      catalog.addAll(List.of("  - id: large", "    account: " + ACCOUNT, "    key: originals/large.bin", "    contentType: application/octet-stream"));
      assets.put("large", new DemoAsset("originals/large.bin", "application/octet-stream", Map.of(), null));
    }
    // An asset of an account whose bucket does not answer (a loopback port nobody listens on):
    // /play falls back to the managed proxy, /original answers 503 with a Link to it.
    String offlineKey = "renditions/offline-video/h264_360p.mp4";
    s3.put(MANAGED_BUCKET, offlineKey, media.resolve("renditions/h264_360p.mp4"), "video/mp4");
    catalog.addAll(List.of("  - id: offline-video", "    account: " + OFFLINE_ACCOUNT, "    key: originals/offline.mp4",
        "    contentType: video/mp4", "    renditions:", "      h264_360p: " + yaml(offlineKey)));
    assets.put("offline-video", new DemoAsset("originals/offline.mp4", "video/mp4", Map.of(), null));
    Files.writeString(home.resolve("catalog.yaml"), String.join("\n", catalog) + "\n");
    // Port 1 (tcpmux): nothing listens there, so every connection is refused; a port picked and
    // released could be taken by another listener, the gateway's own included.
    String offlineEndpoint = "http://127.0.0.1:1";
    byte[] secretBytes = new byte[24];
    new java.security.SecureRandom().nextBytes(secretBytes);
    String originSecret = java.util.HexFormat.of().formatHex(secretBytes);
    byte[] adminBytes = new byte[24];
    new java.security.SecureRandom().nextBytes(adminBytes);
    String adminToken = java.util.HexFormat.of().formatHex(adminBytes);

    // As in production: /metrics with Vert.x's pool and event-loop meters.
    var metrics = io.storageconnect.gateway.metrics.GatewayMetrics.create();
    Vertx vertx = metrics.vertx(new io.vertx.core.VertxOptions());
    Tokens tokens = new Tokens(vertx);
    Files.writeString(home.resolve("viewer-key.pem"), tokens.publicKeyPem());
    String yaml = """
        # Written by the demo. Every key can be overridden by an environment variable,
        # e.g. GATEWAY_SERVER_PORT=9090 or GATEWAY_DELIVERY_DEFAULTMODE=stream.
        server:
          host: 127.0.0.1
          port: 8080
        auth:
          issuer: %s
          audiences: [%s]
          keys:
            - { algorithm: RS256, path: viewer-key.pem }
          originSecret: %s   # CDN origin pulls present it in X-Origin-Secret
        admin:
          token: %s   # Authorization: Bearer <token> on /admin/v1/...
        delivery:
          defaultMode: redirect
          allowOverride: true
        catalog:
          file: catalog.yaml
        managed:
          region: us-east-1
          bucket: %s
          endpoint: %s
          credentials: { accessKeyId: %s, secretAccessKey: %s }   # demo only
        accounts:
          %s:
            region: us-east-1
            bucket: %s
            prefix: %s
            endpoint: %s
            credentials: { accessKeyId: %s, secretAccessKey: %s }   # demo only; production assumes the customer's role
          %s:   # a bucket that does not answer: its playback falls back to the managed proxy
            region: us-east-1
            bucket: globex-media
            endpoint: %s
            credentials: { accessKeyId: %s, secretAccessKey: %s }
        """.formatted(Tokens.ISSUER, Tokens.AUDIENCE, originSecret, adminToken, MANAGED_BUCKET, s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY,
            ACCOUNT, CUSTOMER_BUCKET, PREFIX, s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY,
            OFFLINE_ACCOUNT, offlineEndpoint, S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
    Path configFile = home.resolve("gateway.yaml");
    Files.writeString(configFile, yaml);

    GatewayConfig config;
    // As production: the file is read again on a reload (edit catalog.yaml and it is picked up).
    var source = new io.storageconnect.gateway.config.ConfigSource(configFile.toAbsolutePath(), System.getenv());
    try {
      config = source.parse(yaml);
    } catch (ConfigParser.InvalidConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, config, java.time.Clock.systemUTC(), source, metrics).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      System.err.println("The gateway could not start: " + e.getCause().getMessage()
          + (e.getCause() instanceof java.net.BindException
              ? " (port " + config.server().port() + "; choose another with GATEWAY_SERVER_PORT=9090)"
              : ""));
      s3.close();
      vertx.close();
      System.exit(1);
      return;
    }

    // As in production: SIGHUP reloads (the JVM would otherwise exit on it), SIGTERM drains.
    // Ctrl-C (SIGINT) stops at once, through the shutdown hook below.
    io.storageconnect.gateway.Main.reloadOnSighup(gateway);
    java.util.concurrent.atomic.AtomicBoolean drained = new java.util.concurrent.atomic.AtomicBoolean();
    io.storageconnect.gateway.Main.drainOnSigterm(vertx, gateway, config.server(), () -> {
      drained.set(true);
      try {
        s3.close();
      } catch (Exception ignored) {
        // Exiting anyway.
      }
    });
    String base = "http://127.0.0.1:" + gateway.port();
    List<String> acmeAssets = new ArrayList<>(assets.keySet());
    acmeAssets.remove("offline-video");
    String all = tokens.mint(ACCOUNT, acmeAssets, List.of("download", "play", "renditions", "thumbnail"), 24 * 3600);
    String offline = tokens.mint(OFFLINE_ACCOUNT, List.of("offline-video"), List.of("download", "play", "renditions"), 24 * 3600);
    String playOnly = tokens.mint(ACCOUNT, List.of("demo-video"), List.of("play"), 24 * 3600);
    String q = URLEncoder.encode(all, StandardCharsets.US_ASCII);
    System.out.println();
    System.out.println("==================================================================================");
    System.out.println(" Storage Connect Gateway demo is running on " + base);
    System.out.println(" S3Proxy (customer + managed buckets): " + s3.endpoint() + "   files: " + home);
    System.out.println("==================================================================================");
    System.out.println();
    System.out.println("Play the video in a browser (streamed, seekable by range requests):");
    System.out.println("  " + base + "/v1/assets/demo-video/play?token=" + q);
    System.out.println();
    System.out.println("A viewer token for every demo asset (24 h):");
    System.out.println("  export TOKEN='" + all + "'");
    System.out.println();
    System.out.println("Try:");
    System.out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/assets/demo-video/original            # 302 to a presigned URL");
    System.out.println("  curl -L -OJ -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/assets/demo-video/original       # download it");
    System.out.println("  curl -o /dev/null -D - -H \"Authorization: Bearer $TOKEN\" -H 'Range: bytes=0-1023' " + base + "/v1/assets/demo-video/play");
    System.out.println("  curl -I -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/assets/demo-video/renditions/h264_360p");
    System.out.println("  curl -o thumb.jpg -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/assets/demo-video/thumbnail");
    System.out.println("  curl -OJ -H \"Authorization: Bearer $TOKEN\" '" + base + "/v1/assets/unicode/original?delivery=stream'");
    System.out.println("  curl -i " + base + "/v1/assets/demo-video/play                                      # 401 without a token");
    System.out.println("  curl -s -D - -o /dev/null -H \"Authorization: Bearer " + offline + "\" " + base
        + "/v1/assets/offline-video/play   # bucket down: the managed proxy plays (X-Delivery-Fallback)");
    System.out.println("  curl -i -H \"Authorization: Bearer " + playOnly + "\" " + base + "/v1/assets/demo-video/original   # 403: play-only token");
    System.out.println("  curl -s " + base + "/metrics | grep ^gateway_                                     # Prometheus metrics");
    System.out.println("  curl -s -H 'Authorization: Bearer " + adminToken + "' " + base + "/admin/v1/health   # breakers and credentials");
    System.out.println("  kill -HUP " + ProcessHandle.current().pid() + "   # reload gateway.yaml and catalog.yaml (also picked up on change within 5 s)");
    System.out.println();
    System.out.println("Configuration in use: " + configFile + "   Machine-readable: " + home.resolve("demo.json"));
    System.out.println("Stop with Ctrl-C (at once) or kill " + ProcessHandle.current().pid() + " (SIGTERM: drains as in production).");
    // For scripts and the load-test harness: everything above, machine-readable, written last
    // (its presence means the gateway is serving).
    Path info = home.resolve("demo.json");
    Files.writeString(home.resolve("demo.json.tmp"), new io.vertx.core.json.JsonObject()
        .put("baseUrl", base).put("s3Endpoint", s3.endpoint().toString()).put("token", all).put("offlineToken", offline).put("originSecret", originSecret)
        .put("originSecretHeader", "X-Origin-Secret").put("adminToken", adminToken).put("largeObjectBytes", largeMb == null ? 0 : Math.max(0, Long.parseLong(largeMb)) * 1024 * 1024)
        .put("pid", ProcessHandle.current().pid()).encodePrettily());
    Files.move(home.resolve("demo.json.tmp"), info, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (drained.get()) {
        return; // SIGTERM drained and stopped everything already
      }
      try {
        gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        s3.close();
      } catch (Exception ignored) {
        // Shutting down anyway.
      }
    }));
  }

  record DemoAsset(String original, String contentType, Map<String, String> renditions, String thumbnail) {}

  private static Path mediaDir() throws URISyntaxException {
    var url = DemoMain.class.getResource("/demo-media/README.md");
    if (url == null) {
      throw new IllegalStateException("demo media not on the classpath (run through Maven: see README)");
    }
    return Path.of(url.toURI()).getParent();
  }

  private static String yaml(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
