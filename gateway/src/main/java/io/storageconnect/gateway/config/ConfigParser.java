package io.storageconnect.gateway.config;

import io.storageconnect.gateway.catalog.ConnectionRules;
import io.storageconnect.gateway.catalog.DeliveryMode;
import io.storageconnect.gateway.catalog.ManagedStorage;
import io.storageconnect.gateway.catalog.StorageConnection;
import io.storageconnect.gateway.http.DeliveryOptions;
import io.storageconnect.gateway.origin.BucketAddress;
import io.storageconnect.gateway.origin.OriginOptions;
import io.storageconnect.gateway.origin.StaticCredentials;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Parses and validates the gateway's YAML configuration with environment-variable overrides
 * (see {@link ConfigTree} for their names). Reports every problem at once. Pure: file contents and
 * the environment come in as arguments.
 */
public final class ConfigParser {
  /** An exact web origin: scheme, host, optional port; no path, no wildcard. */
  static final java.util.regex.Pattern CORS_ORIGIN =
      java.util.regex.Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9A-Fa-f:]+\\](:[0-9]{1,5})?");
  static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}");
  static final Pattern ROLE_ARN = Pattern.compile("arn:aws(-[a-z]+)*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
  static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
  static final Set<String> ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  private ConfigParser() {}

  /** Thrown with every problem found, one line each: {@code key: value (expected: ...)}. */
  public static final class InvalidConfigException extends Exception {
    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
      super("invalid configuration:\n  " + String.join("\n  ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /**
   * @param yaml the configuration file's text (may be empty when everything comes from the
   *     environment)
   * @param env environment variables
   * @param baseDir directory that relative file paths in the configuration are resolved against
   */
  public static GatewayConfig parse(String yaml, Map<String, String> env, Path baseDir) throws InvalidConfigException {
    Object file;
    try {
      file = yaml == null || yaml.isBlank() ? Map.of() : new Load(LoadSettings.builder().build()).loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new InvalidConfigException(List.of("(file): not valid YAML (" + YamlProblems.describe(e) + ")"));
    }
    if (!(file instanceof Map<?, ?>)) {
      throw new InvalidConfigException(List.of("(file): not a mapping (expected: keys server, auth, ...)"));
    }
    Object tree = ConfigTree.merge(defaults(), withAccountDefaults(file));
    ConfigTree.overlayEnvironment(tree, "", env);
    ConfigReader r = new ConfigReader();

    var server =
        new GatewayConfig.Server(
            r.string(tree, "server.host", true),
            r.integer(tree, "server.port", 0, 65535),
            r.integer(tree, "server.instances", 1, 64),
            r.duration(tree, "server.shutdownDelay", Duration.ZERO, Duration.ofMinutes(5)),
            r.duration(tree, "server.drainTime", Duration.ZERO, Duration.ofHours(1)));

    List<GatewayConfig.KeyFile> keys = new ArrayList<>();
    Object keyList = ConfigReader.at(tree, "auth.keys");
    if (keyList instanceof List<?> list && !list.isEmpty()) {
      for (int i = 0; i < list.size(); i++) {
        String at = "auth.keys." + i;
        String algorithm = r.string(tree, at + ".algorithm", true);
        if (algorithm != null && !ALGORITHMS.contains(algorithm)) {
          r.problem(at + ".algorithm", algorithm, "one of " + String.join(", ", ALGORITHMS.stream().sorted().toList()));
        }
        String path = r.string(tree, at + ".path", true);
        if (algorithm != null && path != null) {
          keys.add(new GatewayConfig.KeyFile(algorithm, baseDir.resolve(path).normalize()));
        }
      }
    } else {
      r.problem("auth.keys", keyList, "a list of {algorithm, path} public keys (PEM)");
    }
    String originSecret = r.string(tree, "auth.originSecret", false);
    if (originSecret != null && originSecret.length() < 32) {
      r.problem("auth.originSecret", "***", "at least 32 characters");
    }
    var auth =
        new GatewayConfig.Auth(
            r.string(tree, "auth.issuer", true),
            r.strings(tree, "auth.audiences", true),
            keys,
            (int) r.duration(tree, "auth.leeway", Duration.ZERO, Duration.ofMinutes(5)).toSeconds(),
            r.matching(tree, "auth.originSecretHeader", true, HEADER_NAME, "an HTTP header name"),
            originSecret);

    DeliveryMode defaultMode = mode(r, tree, "delivery.defaultMode", true);
    var delivery =
        new DeliveryOptions(
            defaultMode == null ? DeliveryMode.REDIRECT : defaultMode,
            r.bool(tree, "delivery.allowOverride"),
            // SigV4 presigned URLs live at most 7 days.
            r.duration(tree, "delivery.presignTtl", Duration.ofSeconds(1), Duration.ofDays(7)),
            headerValue(r, tree, "delivery.cacheControl"),
            headerValue(r, tree, "delivery.originPullCacheControl"),
            r.integer(tree, "delivery.maxRanges", 1, 100));

    var origin =
        new OriginOptions(
            r.integer(tree, "origin.maxConnections", 1, 10_000),
            r.duration(tree, "origin.connectTimeout", Duration.ofMillis(10), Duration.ofMinutes(1)),
            r.duration(tree, "origin.firstByteTimeout", Duration.ofMillis(10), Duration.ofMinutes(10)),
            r.duration(tree, "origin.readTimeout", Duration.ofMillis(10), Duration.ofMinutes(10)),
            r.duration(tree, "origin.acquireTimeout", Duration.ofMillis(10), Duration.ofMinutes(1)),
            r.duration(tree, "origin.metadataTtl", Duration.ZERO, Duration.ofDays(1)),
            r.longValue(tree, "origin.metadataCacheSize", 0, 100_000_000),
            r.duration(tree, "origin.credentialMargin", Duration.ZERO, Duration.ofHours(1)));

    String catalogFile = r.string(tree, "catalog.file", true);
    var catalog =
        new GatewayConfig.Catalog(
            catalogFile == null ? null : baseDir.resolve(catalogFile).normalize(),
            r.longValue(tree, "catalog.cacheSize", 0, 100_000_000),
            r.duration(tree, "catalog.cacheTtl", Duration.ZERO, Duration.ofDays(1)),
            r.duration(tree, "catalog.negativeCacheTtl", Duration.ZERO, Duration.ofHours(1)));

    BucketAddress managedAddress = bucket(r, tree, "managed");
    var managed = managedAddress == null ? null : new ManagedStorage(managedAddress);

    Map<String, StorageConnection> accounts = new LinkedHashMap<>();
    Object accountTree = ConfigReader.at(tree, "accounts");
    if (accountTree instanceof Map<?, ?> map) {
      for (Object id : map.keySet()) {
        String accountId = String.valueOf(id);
        String at = "accounts." + accountId;
        Optional<String> idProblem = ConnectionRules.accountId(accountId);
        if (idProblem.isPresent()) {
          r.problems().add(at + ": " + idProblem.get());
          continue;
        }
        BucketAddress address = bucket(r, tree, at);
        String prefix = prefix(r, tree, at + ".prefix");
        String roleArn = r.string(tree, at + ".roleArn", false);
        if (roleArn != null) {
          Optional<String> problem = ConnectionRules.roleArn(roleArn);
          if (problem.isPresent()) {
            r.problems().add(at + ".roleArn: " + problem.get());
            roleArn = null;
          }
        }
        DeliveryMode mode = mode(r, tree, at + ".delivery.mode", false);
        Object allow = ConfigReader.at(tree, at + ".delivery.allowOverride");
        Boolean allowOverride = allow == null ? null : r.bool(tree, at + ".delivery.allowOverride");
        if (address != null && prefix != null) {
          // Static keys win (dev, demo, S3-compatible endpoints); otherwise the role is assumed.
          if (address.credentials() == null && roleArn != null) {
            address = new BucketAddress(address.region(), address.bucket(), address.endpoint(), null, new BucketAddress.Role(accountId, roleArn));
          }
          accounts.put(accountId, new StorageConnection(accountId, address, prefix, roleArn, mode, allowOverride));
        }
      }
    } else if (accountTree != null) {
      r.problem("accounts", accountTree, "a mapping of account id to storage connection");
    }

    boolean rolesUsed = accounts.values().stream().anyMatch(c -> c.address().role() != null);
    GatewayConfig.Oidc oidc = oidc(r, tree, rolesUsed, baseDir);
    String instance = r.matching(tree, "sts.instanceName", true, Pattern.compile("[\\w+=,.@-]{1,32}"), "1-32 of [A-Za-z0-9_+=,.@-]");
    var sts =
        new io.storageconnect.gateway.access.StsOptions(
            r.endpoint(tree, "sts.endpoint"),
            r.matching(tree, "sts.region", true, REGION, "an AWS region such as us-east-1"),
            r.duration(tree, "sts.sessionDuration", Duration.ofMinutes(15), Duration.ofHours(12)),
            r.duration(tree, "sts.refreshAhead", Duration.ofSeconds(10), Duration.ofHours(1)),
            instance,
            r.duration(tree, "sts.initialBackoff", Duration.ofMillis(10), Duration.ofMinutes(10)),
            r.duration(tree, "sts.maxBackoff", Duration.ofMillis(10), Duration.ofHours(1)),
            r.duration(tree, "sts.callTimeout", Duration.ofMillis(100), Duration.ofMinutes(2)));
    if (sts.refreshAhead() != null
        && origin.credentialMargin() != null
        && sts.refreshAhead().compareTo(origin.credentialMargin()) <= 0) {
      // Credentials leave the cache credentialMargin before they expire: a refresh that starts
      // later than that never runs, and every session would end with requests waiting on STS.
      r.problem("sts.refreshAhead", sts.refreshAhead().toSeconds() + "s",
          "more than origin.credentialMargin (" + origin.credentialMargin().toSeconds() + "s)");
    }

    String adminToken = r.string(tree, "admin.token", false);
    GatewayConfig.Admin admin = null;
    if (adminToken != null) {
      if (adminToken.length() < 32) {
        r.problem("admin.token", "***", "at least 32 characters");
      }
      String connectionsFile = r.string(tree, "admin.connectionsFile", false);
      String migration =
          r.matching(tree, "admin.migrationPrincipalArn", false, ROLE_ARN, "an IAM role ARN arn:aws:iam::<12 digits>:role/<name>");
      admin = new GatewayConfig.Admin(adminToken, connectionsFile == null ? null : baseDir.resolve(connectionsFile).normalize(), migration);
    }

    var breakers =
        new io.storageconnect.gateway.resilience.BreakerOptions(
            r.integer(tree, "resilience.failureRatePercent", 1, 100),
            r.integer(tree, "resilience.window", 1, 1000),
            r.integer(tree, "resilience.minimumCalls", 1, 1000),
            r.duration(tree, "resilience.openFor", Duration.ofMillis(100), Duration.ofHours(1)),
            r.integer(tree, "resilience.halfOpenCalls", 1, 100),
            r.duration(tree, "resilience.slowCall", Duration.ofMillis(10), Duration.ofMinutes(10)));
    List<String> fallbackRenditions = r.strings(tree, "resilience.fallbackRenditions", false);

    List<String> origins = r.strings(tree, "cors.allowedOrigins", false);
    for (String o : origins) {
      if (!CORS_ORIGIN.matcher(o).matches()) {
        r.problem("cors.allowedOrigins", o, "exact origins such as https://app.example.com (scheme://host[:port], no path, no wildcard)");
      }
    }
    var cors = new GatewayConfig.Cors(origins, r.duration(tree, "cors.maxAge", Duration.ZERO, Duration.ofDays(1)));

    String metricsToken = r.string(tree, "metrics.token", false);
    if (metricsToken != null && metricsToken.length() < 16) {
      r.problem("metrics.token", "***", "at least 16 characters");
    }
    var metrics = new GatewayConfig.Metrics(r.bool(tree, "metrics.enabled"), metricsToken);
    // A poll more often than this only burns a worker on stat calls.
    Duration reloadInterval = r.duration(tree, "reload.interval", Duration.ZERO, Duration.ofHours(1));
    if (!reloadInterval.isZero() && reloadInterval.compareTo(Duration.ofMillis(100)) < 0) {
      r.problem("reload.interval", ConfigReader.at(tree, "reload.interval"), "0 (no polling) or a duration 100ms..1h such as 5s");
    }
    var reload = new GatewayConfig.Reload(reloadInterval);

    if (!r.problems().isEmpty()) {
      throw new InvalidConfigException(r.problems());
    }
    return new GatewayConfig(
        server, auth, delivery, origin, catalog, managed, accounts, oidc, sts, admin, breakers, fallbackRenditions, cors, metrics,
        reload);
  }

  private static GatewayConfig.Oidc oidc(ConfigReader r, Object tree, boolean required, Path baseDir) {
    String issuer = r.string(tree, "oidc.issuer", required);
    Object keyList = ConfigReader.at(tree, "oidc.keys");
    if (issuer == null && !(keyList instanceof List<?> l && !l.isEmpty())) {
      if (required) {
        r.problem("oidc.keys", keyList, "a list of {path, use: sign|publish} PKCS#8 RSA private keys (an account uses roleArn)");
      }
      return null;
    }
    if (issuer != null) {
      try {
        URI uri = new URI(issuer);
        boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost()) || "[::1]".equals(uri.getHost());
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
            || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback))) {
          throw new IllegalArgumentException();
        }
      } catch (Exception e) {
        r.problem("oidc.issuer", issuer, "an https URL without query or fragment (http only on loopback), e.g. https://gateway.example.com/oidc");
        issuer = null;
      }
    }
    List<GatewayConfig.OidcKey> keys = new ArrayList<>();
    int signing = 0;
    if (keyList instanceof List<?> list && !list.isEmpty()) {
      for (int i = 0; i < list.size(); i++) {
        String at = "oidc.keys." + i;
        String path = r.string(tree, at + ".path", true);
        String use = r.string(tree, at + ".use", true);
        if (use != null && !use.equals("sign") && !use.equals("publish")) {
          r.problem(at + ".use", use, "sign or publish");
          use = null;
        }
        if ("sign".equals(use)) {
          signing++;
        }
        if (path != null && use != null) {
          keys.add(new GatewayConfig.OidcKey(baseDir.resolve(path).normalize(), "sign".equals(use)));
        }
      }
      if (signing != 1) {
        r.problem("oidc.keys", signing + " keys with use: sign", "exactly one key with use: sign, any number with use: publish");
      }
    } else {
      r.problem("oidc.keys", keyList, "a list of {path, use: sign|publish} PKCS#8 RSA private keys");
    }
    String audience = r.string(tree, "oidc.audience", true);
    Duration lifetime = r.duration(tree, "oidc.tokenLifetime", Duration.ofMinutes(1), Duration.ofHours(1));
    return new GatewayConfig.Oidc(issuer, audience, lifetime, keys);
  }

  private static Map<String, Object> defaults() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("server", map("host", "0.0.0.0", "port", 8080, "instances", Math.max(1, Runtime.getRuntime().availableProcessors()),
        "shutdownDelay", "5s", "drainTime", "20s"));
    d.put(
        "auth",
        map(
            "issuer", null,
            "audiences", List.of("storage-connect-gateway"),
            "keys", null,
            "leeway", "30s",
            "originSecretHeader", "X-Origin-Secret",
            "originSecret", null));
    DeliveryOptions delivery = DeliveryOptions.defaults();
    d.put(
        "delivery",
        map(
            "defaultMode", delivery.defaultMode().wireName(),
            "allowOverride", delivery.allowOverride(),
            "presignTtl", delivery.presignTtl().toSeconds() + "s",
            "cacheControl", delivery.cacheControl(),
            "originPullCacheControl", delivery.originPullCacheControl(),
            "maxRanges", delivery.maxRanges()));
    OriginOptions origin = OriginOptions.defaults();
    d.put(
        "origin",
        map(
            "maxConnections", origin.maxConnections(),
            "connectTimeout", origin.connectTimeout().toMillis() + "ms",
            "firstByteTimeout", origin.firstByteTimeout().toMillis() + "ms",
            "readTimeout", origin.readTimeout().toMillis() + "ms",
            "acquireTimeout", origin.acquireTimeout().toMillis() + "ms",
            "metadataTtl", origin.metadataTtl().toMillis() + "ms",
            "metadataCacheSize", origin.metadataCacheSize(),
            "credentialMargin", origin.credentialMargin().toSeconds() + "s"));
    var breakerDefaults = io.storageconnect.gateway.resilience.BreakerOptions.defaults();
    d.put(
        "resilience",
        map(
            "failureRatePercent", breakerDefaults.failureRatePercent(),
            "window", breakerDefaults.window(),
            "minimumCalls", breakerDefaults.minimumCalls(),
            "openFor", breakerDefaults.openFor().toSeconds() + "s",
            "halfOpenCalls", breakerDefaults.halfOpenCalls(),
            "slowCall", breakerDefaults.slowCall().toSeconds() + "s",
            "fallbackRenditions", List.of("h264_1080p", "h264_720p", "h264_540p", "h264_360p")));
    d.put("cors", map("allowedOrigins", List.of(), "maxAge", "10m"));
    d.put("metrics", map("enabled", true, "token", null));
    d.put("admin", map("token", null, "connectionsFile", null, "migrationPrincipalArn", null));
    d.put("oidc", map("issuer", null, "audience", "sts.amazonaws.com", "tokenLifetime", "5m", "keys", null));
    var sts = io.storageconnect.gateway.access.StsOptions.defaults(defaultInstanceName());
    d.put(
        "sts",
        map(
            "endpoint", null,
            "region", sts.region(),
            "sessionDuration", sts.sessionDuration().toSeconds() + "s",
            "refreshAhead", sts.refreshAhead().toSeconds() + "s",
            "instanceName", sts.instanceName(),
            "initialBackoff", sts.initialBackoff().toMillis() + "ms",
            "maxBackoff", sts.maxBackoff().toSeconds() + "s",
            "callTimeout", sts.callTimeout().toSeconds() + "s"));
    d.put("reload", map("interval", "5s"));
    d.put("catalog", map("file", null, "cacheSize", 100_000, "cacheTtl", "60s", "negativeCacheTtl", "5s"));
    d.put("managed", bucketDefaults());
    return d;
  }

  /** The host name, cut to what a role session name can carry (it is not I/O: the JVM knows it). */
  private static String defaultInstanceName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "gateway");
    String clean = host.replaceAll("[^\\w+=,.@-]", "-");
    return clean.isEmpty() ? "gateway" : clean.substring(0, Math.min(32, clean.length()));
  }

  private static Map<String, Object> bucketDefaults() {
    return map(
        "region", null,
        "bucket", null,
        "endpoint", null,
        "credentials", map("accessKeyId", null, "secretAccessKey", null));
  }

  /** Every optional key of every account exists in the tree, so each has its variable. */
  private static Object withAccountDefaults(Object file) {
    if (!(file instanceof Map<?, ?> top) || !(top.get("accounts") instanceof Map<?, ?> accounts)) {
      return file;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    accounts.forEach(
        (id, account) -> {
          Map<String, Object> d = bucketDefaults();
          d.put("prefix", "");
          d.put("roleArn", null);
          d.put("delivery", map("mode", null, "allowOverride", null));
          out.put(String.valueOf(id), ConfigTree.merge(d, account));
        });
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = (Map<String, Object>) ConfigTree.copy(file);
    copy.put("accounts", out);
    return copy;
  }

  private static BucketAddress bucket(ConfigReader r, Object tree, String at) {
    String region = r.string(tree, at + ".region", true);
    if (region != null) {
      Optional<String> problem = ConnectionRules.region(region);
      if (problem.isPresent()) {
        r.problems().add(at + ".region: " + problem.get());
        region = null;
      }
    }
    String bucket = r.string(tree, at + ".bucket", true);
    if (bucket != null) {
      Optional<String> problem = ConnectionRules.bucketName(bucket);
      if (problem.isPresent()) {
        // A customer's bucket name is customer data: problems are logged on a reload.
        String shown = at.startsWith("accounts.")
            ? problem.get().replaceFirst(java.util.regex.Pattern.quote(bucket), "***")
            : problem.get();
        r.problems().add(at + ".bucket: " + shown);
        bucket = null;
      }
    }
    URI endpoint = r.endpoint(tree, at + ".endpoint");
    String keyId = r.string(tree, at + ".credentials.accessKeyId", false);
    String secret = r.string(tree, at + ".credentials.secretAccessKey", false);
    StaticCredentials credentials = null;
    if (keyId != null && secret != null) {
      credentials = new StaticCredentials(keyId, secret);
    } else if (keyId != null || secret != null) {
      r.problem(at + ".credentials", "***", "both accessKeyId and secretAccessKey, or neither (default chain)");
    }
    return region == null || bucket == null ? null : new BucketAddress(region, bucket, endpoint, credentials);
  }

  /** Normalises an object prefix (see {@link ConnectionRules#normalisedPrefix}). */
  static String prefix(ConfigReader r, Object tree, String key) {
    String raw = r.string(tree, key, false);
    if (raw == null) {
      return "";
    }
    var normalised = ConnectionRules.normalisedPrefix(raw);
    if (!normalised.isValid()) {
      r.problems().add(key + ": " + normalised.problem());
      return null;
    }
    return normalised.value();
  }

  private static DeliveryMode mode(ConfigReader r, Object tree, String key, boolean required) {
    String v = r.string(tree, key, required);
    if (v == null) {
      return null;
    }
    return DeliveryMode.parse(v)
        .orElseGet(
            () -> {
              r.problem(key, v, "redirect or stream");
              return null;
            });
  }

  private static String headerValue(ConfigReader r, Object tree, String key) {
    String v = r.string(tree, key, true);
    if (v != null && !v.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      r.problem(key, v, "visible ASCII");
      return "no-store";
    }
    return v == null ? "no-store" : v;
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
