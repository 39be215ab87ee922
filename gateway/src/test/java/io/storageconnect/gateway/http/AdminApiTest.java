package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The storage-connection admin API: validation, persistence, policies and the preflight. */
class AdminApiTest {
  static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.startWithRoles(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static HttpResponse<byte[]> call(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return gw.send(b.build());
  }

  static HttpResponse<byte[]> admin(String method, String path, String body) throws Exception {
    return call(method, path, body, GatewayFixture.ADMIN_TOKEN);
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  static String valid(String bucket) {
    return new JsonObject()
        .put("region", "us-east-1")
        .put("bucket", bucket)
        .put("prefix", "/media/raw")
        .put("roleArn", "arn:aws:iam::210987654321:role/storage-connect")
        .put("endpoint", gw.s3.endpoint().toString())
        .put("delivery", new JsonObject().put("mode", "stream"))
        .encode();
  }

  @Test
  void noOrViewerToken_answers401() throws Exception {
    assertThat(call("GET", "/admin/v1/accounts/acme/storage", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/admin/v1/accounts/acme/storage", null, gw.tokens.all(TestData.ACCOUNT, "clip")).statusCode()).isEqualTo(401);
    HttpResponse<byte[]> wrong = call("GET", "/admin/v1/accounts/acme/storage", null, GatewayFixture.ADMIN_TOKEN + "x");
    assertThat(wrong.statusCode()).isEqualTo(401);
    // The message says which: none came, or another one did.
    assertThat(new JsonObject(new String(call("GET", "/admin/v1/health", null, null).body(), java.nio.charset.StandardCharsets.UTF_8))
        .getString("message")).isEqualTo("An admin token is required.");
    assertThat(new JsonObject(new String(wrong.body(), java.nio.charset.StandardCharsets.UTF_8)).getString("message"))
        .isEqualTo("This admin token is not valid.");
  }

  @Test
  void get_showsConnectionWithoutSecrets() throws Exception {
    HttpResponse<byte[]> r = admin("GET", "/admin/v1/accounts/acme/storage", null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject c = json(r);
    assertThat(c.getString("bucket")).isEqualTo(TestData.CUSTOMER_BUCKET);
    assertThat(c.getString("prefix")).isEqualTo(TestData.PREFIX);
    assertThat(c.getString("roleArn")).isEqualTo(GatewayFixture.ACME_ROLE);
    assertThat(c.getString("credentials")).isEqualTo("role");
    assertThat(r.body().length).isPositive();
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("SecretAccessKey").doesNotContain("secret");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bucket too short | {\"region\":\"us-east-1\",\"bucket\":\"ab\"} | bucket: ab",
        "bucket uppercase | {\"region\":\"us-east-1\",\"bucket\":\"Media\"} | bucket: Media",
        "bucket ip form | {\"region\":\"us-east-1\",\"bucket\":\"192.168.5.4\"} | bucket: 192.168.5.4",
        "bucket reserved prefix | {\"region\":\"us-east-1\",\"bucket\":\"xn--media\"} | bucket: xn--media",
        "bucket reserved suffix | {\"region\":\"us-east-1\",\"bucket\":\"media-s3alias\"} | bucket: media-s3alias",
        "unknown region | {\"region\":\"mars-1\",\"bucket\":\"media\"} | region: mars-1",
        "dot-dot prefix | {\"region\":\"us-east-1\",\"bucket\":\"media\",\"prefix\":\"a/../b\"} | prefix: a/../b",
        "role arn syntax | {\"region\":\"us-east-1\",\"bucket\":\"media\",\"roleArn\":\"arn:aws:iam::12345:role/x\"} | roleArn: arn:aws:iam::12345:role/x",
        "user not role | {\"region\":\"us-east-1\",\"bucket\":\"media\",\"roleArn\":\"arn:aws:iam::123456789012:user/x\"} | roleArn: arn:aws:iam::123456789012:user/x",
        "partition mismatch | {\"region\":\"cn-north-1\",\"bucket\":\"media\",\"roleArn\":\"arn:aws:iam::123456789012:role/x\"} | roleArn: arn:aws:iam::123456789012:role/x (expected: a role in the aws-cn partition",
        "unknown field | {\"region\":\"us-east-1\",\"bucket\":\"media\",\"secretAccessKey\":\"x\"} | secretAccessKey: unknown",
        "bad delivery | {\"region\":\"us-east-1\",\"bucket\":\"media\",\"delivery\":{\"mode\":\"fax\"}} | delivery.mode: fax",
        "bad endpoint | {\"region\":\"us-east-1\",\"bucket\":\"media\",\"endpoint\":\"ftp://x\"} | endpoint: ftp://x",
        "cleartext endpoint | {\"region\":\"us-east-1\",\"bucket\":\"media\",\"endpoint\":\"http://169.254.169.254/\"} | endpoint: http://169.254.169.254/",
        "no role | {\"region\":\"us-east-1\",\"bucket\":\"platform-managed\"} | roleArn: missing",
      })
  void put_invalidInput_answers400NamingTheProblem(String name, String body, String expected) throws Exception {
    HttpResponse<byte[]> r = admin("PUT", "/admin/v1/accounts/newco/storage", body);

    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject error = json(r);
    assertThat(error.getString("error")).isEqualTo("invalid_storage_connection");
    assertThat(error.getString("message")).contains(expected);
    assertThat(admin("GET", "/admin/v1/accounts/newco/storage", null).statusCode()).isEqualTo(404);
  }

  @Test
  void put_everyProblemAtOnce() throws Exception {
    HttpResponse<byte[]> r = admin("PUT", "/admin/v1/accounts/newco/storage", "{\"region\":\"nowhere\",\"bucket\":\"A\",\"prefix\":\"./x\"}");

    assertThat(json(r).getString("message")).contains("region: nowhere").contains("bucket: A").contains("prefix: ./x");
  }

  @Test
  void put_badAccountIdOrBody_answers400() throws Exception {
    assertThat(admin("PUT", "/admin/v1/accounts/-bad/storage", valid("media")).statusCode()).isEqualTo(400);
    assertThat(admin("PUT", "/admin/v1/accounts/newco/storage", "not json").statusCode()).isEqualTo(400);
    assertThat(admin("PUT", "/admin/v1/accounts/newco/storage", "[1,2]").statusCode()).isEqualTo(400);
  }

  @Test
  void putGetDelete_takeEffectWithoutRestart_andPersistAtomically() throws Exception {
    HttpResponse<byte[]> put = admin("PUT", "/admin/v1/accounts/newco/storage", valid("newco-media"));

    assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(200);
    assertThat(json(put).getString("prefix")).isEqualTo("media/raw/");
    JsonObject got = json(admin("GET", "/admin/v1/accounts/newco/storage", null));
    assertThat(got.getString("bucket")).isEqualTo("newco-media");
    assertThat(got.getJsonObject("delivery").getString("mode")).isEqualTo("stream");
    JsonObject file = new JsonObject(Files.readString(gw.dir.resolve("connections.json")));
    assertThat(file.getJsonObject("accounts").getJsonObject("newco").getString("roleArn"))
        .isEqualTo("arn:aws:iam::210987654321:role/storage-connect");
    assertThat(Files.exists(gw.dir.resolve(".connections.json.tmp"))).isFalse();

    assertThat(admin("DELETE", "/admin/v1/accounts/newco/storage", null).statusCode()).isEqualTo(204);
    assertThat(admin("GET", "/admin/v1/accounts/newco/storage", null).statusCode()).isEqualTo(404);
    assertThat(admin("DELETE", "/admin/v1/accounts/newco/storage", null).statusCode()).isEqualTo(404);
    assertThat(new JsonObject(Files.readString(gw.dir.resolve("connections.json"))).getJsonObject("accounts").containsKey("newco")).isFalse();
  }

  @Test
  void changes_neverWriteConfiguredAccounts_soTheirStaticKeysSurviveARestart() throws Exception {
    assertThat(admin("PUT", "/admin/v1/accounts/other/storage", valid("other-media")).statusCode()).isEqualTo(200);
    assertThat(admin("DELETE", "/admin/v1/accounts/globex/storage", null).statusCode()).isEqualTo(204);

    JsonObject file = new JsonObject(Files.readString(gw.dir.resolve("connections.json")));

    assertThat(file.getJsonObject("accounts").fieldNames()).contains("other").doesNotContain("globex", "mallory");
    assertThat(file.getJsonArray("removed")).containsExactly("globex");
    assertThat(file.encode()).doesNotContain(io.storageconnect.gateway.support.S3Server.SECRET_KEY);
    var saved = io.storageconnect.gateway.catalog.StorageConnections.parseFile(file.encode(), new java.util.ArrayList<>());
    assertThat(saved.connections()).containsKey("other").doesNotContainKeys("globex", "mallory");
    assertThat(saved.removed()).containsExactly("globex");
    assertThat(admin("DELETE", "/admin/v1/accounts/other/storage", null).statusCode()).isEqualTo(204);
  }

  @Test
  void put_withoutRegion_defaultsToUsEast1() throws Exception {
    String body = new JsonObject().put("bucket", "east-media").put("roleArn", "arn:aws:iam::210987654321:role/x").encode();

    HttpResponse<byte[]> r = admin("PUT", "/admin/v1/accounts/eastco/storage", body);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).getString("region")).isEqualTo("us-east-1");
    admin("DELETE", "/admin/v1/accounts/eastco/storage", null);
  }

  @Test
  void policies_carryThisConnectionsRealValues() throws Exception {
    HttpResponse<byte[]> r = admin("GET", "/admin/v1/accounts/acme/storage/policies", null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject docs = json(r);
    String provider = "127.0.0.1:" + gw.gateway.port() + "/oidc";
    JsonObject trust = docs.getJsonObject("trustPolicy");
    assertThat(trust.getString("Version")).isEqualTo("2012-10-17");
    JsonObject statement = trust.getJsonArray("Statement").getJsonObject(0);
    assertThat(statement.getJsonObject("Principal").getString("Federated")).isEqualTo("arn:aws:iam::123456789012:oidc-provider/" + provider);
    assertThat(statement.getString("Action")).isEqualTo("sts:AssumeRoleWithWebIdentity");
    JsonObject equals = statement.getJsonObject("Condition").getJsonObject("StringEquals");
    assertThat(equals.getString(provider + ":aud")).isEqualTo("sts.amazonaws.com");
    assertThat(equals.getString(provider + ":sub")).isEqualTo("acme");
    JsonObject permission = docs.getJsonObject("permissionPolicy");
    JsonObject allow = permission.getJsonArray("Statement").getJsonObject(0);
    assertThat(allow.getValue("Resource").toString()).contains("arn:aws:s3:::" + TestData.CUSTOMER_BUCKET + "/" + TestData.PREFIX + "*");
    assertThat(allow.getValue("Action").toString()).contains("s3:GetObject").contains("s3:PutObject").contains("s3:DeleteObject");
    JsonObject migration = docs.getJsonObject("migrationBucketPolicy");
    assertThat(migration.encode()).contains("arn:aws:iam::999999999999:role/platform-migration").contains("s3:PutObject");
  }

  @Test
  void verify_workingRole_passesEveryStep() throws Exception {
    HttpResponse<byte[]> r = admin("POST", "/admin/v1/accounts/acme/storage/verify", null);

    JsonObject result = json(r);
    assertThat(result.getBoolean("passed")).as(result.encodePrettily()).isTrue();
    assertThat(steps(result)).containsExactly("assume_role", "write_probe", "bucket_region", "read_probe", "remove_probe");
  }

  @Test
  void verify_roleThatDoesNotTrustThisAccount_failsAssumeWithTrustHint() throws Exception {
    JsonObject result = json(admin("POST", "/admin/v1/accounts/mallory/storage/verify", null));

    assertThat(result.getBoolean("passed")).isFalse();
    JsonObject first = result.getJsonArray("steps").getJsonObject(0);
    assertThat(first.getString("step")).isEqualTo("assume_role");
    assertThat(first.getBoolean("passed")).isFalse();
    assertThat(first.getString("detail")).contains("AccessDenied");
    assertThat(first.getString("fix")).contains(":sub = mallory").contains("trust policy");
  }

  @Test
  void verify_missingBucket_failsWriteWithHint() throws Exception {
    String body = new JsonObject().put("region", "us-east-1").put("bucket", "no-such-bucket-here").put("roleArn", GatewayFixture.ACME_ROLE)
        .put("endpoint", gw.s3.endpoint().toString()).encode();
    assertThat(admin("PUT", "/admin/v1/accounts/acme/storage", body).statusCode()).isEqualTo(200);
    try {
      JsonObject result = json(admin("POST", "/admin/v1/accounts/acme/storage/verify", null));

      assertThat(result.getBoolean("passed")).isFalse();
      JsonObject write = result.getJsonArray("steps").stream().map(JsonObject.class::cast)
          .filter(s -> s.getString("step").equals("write_probe")).findFirst().orElseThrow();
      assertThat(write.getBoolean("passed")).isFalse();
      assertThat(write.getString("fix")).contains("does not exist");
    } finally {
      String original = new JsonObject().put("region", "us-east-1").put("bucket", TestData.CUSTOMER_BUCKET).put("prefix", TestData.PREFIX)
          .put("roleArn", GatewayFixture.ACME_ROLE).put("endpoint", gw.s3.endpoint().toString()).encode();
      assertThat(admin("PUT", "/admin/v1/accounts/acme/storage", original).statusCode()).isEqualTo(200);
    }
  }

  static java.util.List<String> steps(JsonObject result) {
    JsonArray steps = result.getJsonArray("steps");
    return steps.stream().map(s -> ((JsonObject) s).getString("step")).toList();
  }
}
