package io.storageconnect.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageconnect.gateway.catalog.DeliveryMode;
import io.storageconnect.gateway.catalog.StorageConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigParserTest {
  static final Path BASE = Path.of("/etc/gateway");

  static final String VALID = """
      auth:
        issuer: https://platform.example.com
        keys:
          - { algorithm: RS256, path: keys/viewer.pem }
      catalog:
        file: catalog.yaml
      oidc:
        issuer: https://gateway.example.com/oidc
        keys:
          - { path: keys/oidc-new.pem, use: publish }
          - { path: keys/oidc-current.pem, use: sign }
      managed:
        region: us-east-1
        bucket: platform-managed
      accounts:
        acme-films:
          region: us-east-1
          bucket: acme-media
          prefix: storage-connect/acme
          roleArn: arn:aws:iam::123456789012:role/storage-connect
      """;

  static GatewayConfig parse(String yaml, Map<String, String> env) throws Exception {
    return ConfigParser.parse(yaml, env, BASE);
  }

  static java.util.List<String> problems(String yaml, Map<String, String> env) {
    try {
      ConfigParser.parse(yaml, env, BASE);
    } catch (ConfigParser.InvalidConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the configuration to be rejected");
  }

  @Test
  void parse_minimalFile_appliesDocumentedDefaults() throws Exception {
    GatewayConfig c = parse(VALID, Map.of());

    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.auth().audiences()).containsExactly("storage-connect-gateway");
    assertThat(c.auth().leewaySeconds()).isEqualTo(30);
    assertThat(c.auth().keys()).singleElement().satisfies(k -> {
      assertThat(k.algorithm()).isEqualTo("RS256");
      assertThat(k.path()).isEqualTo(BASE.resolve("keys/viewer.pem"));
    });
    assertThat(c.delivery().defaultMode()).isEqualTo(DeliveryMode.REDIRECT);
    assertThat(c.delivery().presignTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.delivery().maxRanges()).isEqualTo(16);
    assertThat(c.catalog().file()).isEqualTo(BASE.resolve("catalog.yaml"));
    assertThat(c.managed().address().credentials()).isNull();
    StorageConnection acme = c.accounts().get("acme-films");
    assertThat(acme.prefix()).isEqualTo("storage-connect/acme/");
    assertThat(acme.address().bucket()).isEqualTo("acme-media");
    assertThat(acme.address().endpoint()).isNull();
    assertThat(acme.roleArn()).isEqualTo("arn:aws:iam::123456789012:role/storage-connect");
    assertThat(acme.deliveryMode()).isNull();
  }

  @Test
  void parse_environmentOverridesEveryKindOfKey() throws Exception {
    GatewayConfig c =
        parse(
            VALID,
            Map.of(
                "GATEWAY_SERVER_PORT", "9090",
                "GATEWAY_DELIVERY_DEFAULTMODE", "stream",
                "GATEWAY_DELIVERY_PRESIGNTTL", "90s",
                "GATEWAY_AUTH_AUDIENCES", "a, b",
                "GATEWAY_AUTH_KEYS_0_ALGORITHM", "ES256",
                "GATEWAY_ACCOUNTS_ACME_FILMS_BUCKET", "other-bucket",
                "GATEWAY_ACCOUNTS_ACME_FILMS_ENDPOINT", "http://127.0.0.1:9000",
                "GATEWAY_ACCOUNTS_ACME_FILMS_DELIVERY_MODE", "stream",
                "GATEWAY_MANAGED_CREDENTIALS_ACCESSKEYID", "AKID",
                "GATEWAY_MANAGED_CREDENTIALS_SECRETACCESSKEY", "secret"));

    assertThat(c.server().port()).isEqualTo(9090);
    assertThat(c.delivery().defaultMode()).isEqualTo(DeliveryMode.STREAM);
    assertThat(c.delivery().presignTtl()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.auth().audiences()).containsExactly("a", "b");
    assertThat(c.auth().keys().get(0).algorithm()).isEqualTo("ES256");
    StorageConnection acme = c.accounts().get("acme-films");
    assertThat(acme.address().bucket()).isEqualTo("other-bucket");
    assertThat(acme.address().endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(acme.deliveryMode()).isEqualTo(DeliveryMode.STREAM);
    assertThat(c.managed().address().credentials().accessKeyId()).isEqualTo("AKID");
  }

  @Test
  void parse_everyProblemReportedAtOnce_withKeyAndExpectation() {
    String yaml = """
        server: { port: 70000 }
        auth:
          keys:
            - { algorithm: HS256, path: k.pem }
          leeway: forever
        delivery:
          defaultMode: teleport
          presignTtl: 8d
          maxRanges: 0
        managed:
          region: mars-north-1x
          bucket: Bad_Bucket
        accounts:
          acme:
            region: us-east-1
            bucket: 192.168.1.1
            prefix: a/../b
            roleArn: arn:aws:iam::123:user/x
            endpoint: ftp://example.com
        """;

    assertThat(problems(yaml, Map.of()))
        .contains(
            "server.port: 70000 (expected: an integer 0..65535)",
            "auth.issuer: missing (expected: a non-empty string)",
            "delivery.defaultMode: teleport (expected: redirect or stream)",
            "catalog.file: missing (expected: a non-empty string)")
        .anyMatch(p -> p.startsWith("auth.keys.0.algorithm: HS256 (expected: one of ES256"))
        .anyMatch(p -> p.startsWith("auth.leeway: forever (expected: a duration"))
        .anyMatch(p -> p.startsWith("delivery.presignTtl: 8d (expected: a duration 1s..7d"))
        .anyMatch(p -> p.startsWith("delivery.maxRanges: 0 (expected: an integer 1..100"))
        .anyMatch(p -> p.startsWith("managed.region: mars-north-1x"))
        .anyMatch(p -> p.startsWith("managed.bucket: Bad_Bucket"))
        .anyMatch(p -> p.equals("accounts.acme.bucket: *** (expected: a name, not an IP address)"))
        .anyMatch(p -> p.startsWith("accounts.acme.prefix: a/../b"))
        .anyMatch(p -> p.startsWith("accounts.acme.roleArn: arn:aws:iam::123:user/x"))
        .anyMatch(p -> p.startsWith("accounts.acme.endpoint: ftp://example.com"));
  }

  @Test
  void parse_corsOrigins_exactOnly() throws Exception {
    GatewayConfig none = parse(VALID, Map.of());
    GatewayConfig some = parse(VALID, Map.of("GATEWAY_CORS_ALLOWEDORIGINS", "https://app.example.com,http://127.0.0.1:3000"));
    var found = problems(VALID, Map.of("GATEWAY_CORS_ALLOWEDORIGINS", "*,https://app.example.com/player,https://*.example.com"));

    assertThat(none.cors().allowedOrigins()).isEmpty();
    assertThat(none.cors().maxAge()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(some.cors().allowedOrigins()).containsExactly("https://app.example.com", "http://127.0.0.1:3000");
    assertThat(found).filteredOn(p -> p.startsWith("cors.allowedOrigins: ")).hasSize(3);
  }

  @Test
  void parse_refreshAheadNotAboveCredentialMargin_isRefused() {
    var found = problems(VALID, Map.of("GATEWAY_STS_REFRESHAHEAD", "60s", "GATEWAY_ORIGIN_CREDENTIALMARGIN", "2m"));

    assertThat(found).anyMatch(p -> p.startsWith("sts.refreshAhead: ") && p.contains("(expected: more than origin.credentialMargin (120s))"));
  }

  @Test
  void parse_secretProblems_neverEchoTheSecret() {
    String yaml = VALID + "\n" + """
        """;
    var found =
        problems(
            yaml,
            Map.of(
                "GATEWAY_AUTH_ORIGINSECRET", "short-secret-value",
                "GATEWAY_MANAGED_CREDENTIALS_SECRETACCESSKEY", "lonely-secret-value"));

    assertThat(found).anyMatch(p -> p.startsWith("auth.originSecret: *** (expected: at least 32 characters)"));
    assertThat(found).anyMatch(p -> p.startsWith("managed.credentials: ***"));
    assertThat(String.join("\n", found)).doesNotContain("short-secret-value").doesNotContain("lonely-secret-value");
  }

  /** Regression: a secret of the wrong type (a list, a mapping) was shown whole in its problem. */
  @Test
  void parse_secretOfTheWrongType_neverEchoed() {
    String yaml = VALID.replace("managed:\n  region: us-east-1\n",
        "managed:\n  credentials: { accessKeyId: [AKIDLISTED], secretAccessKey: [listed-secret-value, x] }\n  region: us-east-1\n")
        + "admin:\n  token: { nested: nested-admin-token-value-0123456789 }\n";
    var found = problems(yaml, Map.of());

    assertThat(found).contains(
        "managed.credentials.accessKeyId: *** (expected: a string)",
        "managed.credentials.secretAccessKey: *** (expected: a string)",
        "admin.token: *** (expected: a string)");
    assertThat(String.join("\n", found)).doesNotContain("listed-secret-value").doesNotContain("AKIDLISTED").doesNotContain("nested-admin");
  }

  /**
   * Regression: a section of the wrong shape was printed whole (80 characters of it), keys and
   * bucket names included; problems are logged on a reload, so they must not carry either.
   */
  @Test
  void parse_sectionOfTheWrongShape_isDescribed_notPrinted() {
    String listed = "accounts:\n  - acme:\n      region: us-east-1\n      bucket: secret-customer-bucket\n"
        + "      credentials: { accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: wJalrXUtnFEMI }\n";
    var found = problems(VALID.substring(0, VALID.indexOf("accounts:")) + listed + "metrics:\n  token: short\n", Map.of());

    assertThat(found).anyMatch(p -> p.startsWith("accounts"));
    assertThat(String.join("\n", found))
        .doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("wJalr").doesNotContain("secret-customer-bucket")
        .contains("metrics.token: *** (expected: at least 16 characters)");
    assertThat(problems(VALID.replace("bucket: acme-media", "bucket: Not_A_Valid_Bucket"), Map.of()))
        .containsExactly("accounts.acme-films.bucket: *** (expected: only lowercase letters, digits, '.' and '-', found 'N')");
  }

  @Test
  void parse_reloadInterval_defaultsTo5s_zeroTurnsThePollOff() throws Exception {
    assertThat(parse(VALID, Map.of()).reload().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(parse(VALID, Map.of("GATEWAY_RELOAD_INTERVAL", "0")).reload().interval()).isZero();
    assertThat(parse(VALID + "reload:\n  interval: 250ms\n", Map.of()).reload().interval()).isEqualTo(Duration.ofMillis(250));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "50ms | reload.interval: 50ms (expected: 0 (no polling) or a duration 100ms..1h such as 5s)",
      "2h   | reload.interval: 2h (expected: a duration 0s..1h such as 500ms, 30s, 15m, 2h)",
      "soon | reload.interval: soon (expected: a duration 0s..1h such as 500ms, 30s, 15m, 2h)",
  })
  void parse_badReloadInterval_isRefusedWithItsProblem(String value, String problem) {
    assertThat(problems(VALID, Map.of("GATEWAY_RELOAD_INTERVAL", value))).containsExactly(problem);
  }

  @Test
  void parse_roleConnection_usesRoleAndIssuer() throws Exception {
    GatewayConfig c = parse(VALID, Map.of());

    StorageConnection acme = c.accounts().get("acme-films");
    assertThat(acme.address().role()).isNotNull();
    assertThat(acme.address().role().accountId()).isEqualTo("acme-films");
    assertThat(acme.address().credentials()).isNull();
    assertThat(c.oidc().issuer()).isEqualTo("https://gateway.example.com/oidc");
    assertThat(c.oidc().audience()).isEqualTo("sts.amazonaws.com");
    assertThat(c.oidc().keys()).extracting(GatewayConfig.OidcKey::signs).containsExactly(false, true);
    assertThat(c.oidc().keys().get(1).path()).isEqualTo(BASE.resolve("keys/oidc-current.pem"));
    assertThat(c.sts().sessionDuration()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void parse_staticCredentialsWithRoleArn_signWithTheStaticKeys() throws Exception {
    GatewayConfig c =
        parse(
            VALID,
            Map.of(
                "GATEWAY_ACCOUNTS_ACME_FILMS_CREDENTIALS_ACCESSKEYID", "AKID",
                "GATEWAY_ACCOUNTS_ACME_FILMS_CREDENTIALS_SECRETACCESSKEY", "secret"));

    assertThat(c.accounts().get("acme-films").address().role()).isNull();
    assertThat(c.accounts().get("acme-films").roleArn()).isNotNull();
  }

  @Test
  void parse_roleWithoutIssuer_reportsOidcProblems() {
    String noOidc = VALID.replaceAll("(?s)oidc:.*?use: sign \\}\n", "");

    assertThat(problems(noOidc, Map.of()))
        .anyMatch(p -> p.startsWith("oidc.issuer: missing"))
        .anyMatch(p -> p.startsWith("oidc.keys:"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://gateway.example.com/oidc", "https://gateway.example.com/oidc?x=1", "not a url"})
  void parse_issuerMustBeHttpsOrLoopback(String issuer) {
    assertThat(problems(VALID, Map.of("GATEWAY_OIDC_ISSUER", issuer))).anyMatch(p -> p.startsWith("oidc.issuer: " + issuer));
  }

  @Test
  void parse_twoSigningKeys_isRejected() {
    assertThat(problems(VALID, Map.of("GATEWAY_OIDC_KEYS_0_USE", "sign")))
        .anyMatch(p -> p.startsWith("oidc.keys: 2 keys with use: sign (expected: exactly one"));
  }

  @Test
  void parse_invalidYaml_reportsIt() {
    assertThat(problems("server: [unclosed", Map.of())).singleElement().asString().startsWith("(file): not valid YAML (line 1, column ");
    assertThat(problems("server:\n  port: 8080\n  host: a: b\n", Map.of())).singleElement().asString()
        .startsWith("(file): not valid YAML (line 3, column ").doesNotContain("a: b");
  }

  @Test
  void parse_emptyFile_reportsEveryRequiredKey() {
    assertThat(problems("", Map.of()))
        .contains("auth.issuer: missing (expected: a non-empty string)", "catalog.file: missing (expected: a non-empty string)")
        .anyMatch(p -> p.startsWith("auth.keys:"))
        .anyMatch(p -> p.startsWith("managed.region:"))
        .anyMatch(p -> p.startsWith("managed.bucket:"));
  }

  @ParameterizedTest
  @CsvSource({
    "'', ''",
    "/, ''",
    "media, media/",
    "/media/, media/",
    "//a//b, a//b/",
    "a/b/, a/b/",
  })
  void prefix_isNormalised(String raw, String expected) throws Exception {
    GatewayConfig c = parse(VALID, Map.of("GATEWAY_ACCOUNTS_ACME_FILMS_PREFIX", raw));

    assertThat(c.accounts().get("acme-films").prefix()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"500ms", "30s", "15m", "2h", "1d", "45"})
  void durations_acceptUnits(String value) throws Exception {
    GatewayConfig c = parse(VALID, Map.of("GATEWAY_CATALOG_CACHETTL", value));

    assertThat(c.catalog().cacheTtl()).isPositive();
  }

  @Test
  void toString_neverPrintsSecrets() throws Exception {
    GatewayConfig c =
        parse(
            VALID,
            Map.of(
                "GATEWAY_AUTH_ORIGINSECRET", "0123456789abcdef0123456789abcdef-secret",
                "GATEWAY_MANAGED_CREDENTIALS_ACCESSKEYID", "AKIDEXAMPLE",
                "GATEWAY_MANAGED_CREDENTIALS_SECRETACCESSKEY", "wJalrXUtnFEMI-secret"));

    assertThat(c.toString()).doesNotContain("0123456789abcdef0123456789abcdef-secret").doesNotContain("wJalrXUtnFEMI-secret");
  }

  @Test
  void parse_originSecretTooShort_isRejected() {
    assertThatThrownBy(() -> parse(VALID, Map.of("GATEWAY_AUTH_ORIGINSECRET", "x")))
        .isInstanceOf(ConfigParser.InvalidConfigException.class);
  }
}
