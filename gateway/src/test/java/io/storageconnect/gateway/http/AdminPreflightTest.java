package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.FaultProxy;
import io.storageconnect.gateway.support.FaultProxy.Fault;
import io.storageconnect.gateway.support.GatewayFixture;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The preflight checklist (POST .../storage/verify) reports each kind of failure with its own
 * step and fix: the role assumed through the loopback STS, the bucket's answers shaped on the
 * wire by the fault proxy (S3 error XML for the probe's PUT, HEAD/GET and DELETE).
 */
class AdminPreflightTest {
  static GatewayFixture gw;
  static FaultProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.startWithRolesBehindFaultProxy(Map.of());
    proxy = gw.customerProxy;
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void heal() {
    proxy.clearRules();
  }

  static JsonObject verify(String account) throws Exception {
    return json(admin("POST", "/admin/v1/accounts/" + account + "/storage/verify", null));
  }

  static HttpResponse<byte[]> admin(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return gw.send(b.build());
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  static JsonObject step(JsonObject result, String name) {
    return result.getJsonArray("steps").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("step").equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no step " + name + " in " + result.encodePrettily()));
  }

  static boolean isProbe(FaultProxy.Request r) {
    return r.path().contains(".storage-connect-probe/");
  }

  @Test
  void verify_bucketInAnotherRegion_failsBucketRegionNamingTheRegion() throws Exception {
    proxy.when(r -> isProbe(r) && r.method().equals("PUT"), Fault.s3Error(
        301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.",
        Map.of("x-amz-bucket-region", "eu-west-1")));

    JsonObject result = verify("acme");

    assertThat(result.getBoolean("passed")).isFalse();
    JsonObject region = step(result, "bucket_region");
    assertThat(region.getBoolean("passed")).isFalse();
    assertThat(region.getString("fix")).isEqualTo("Set the connection's region to eu-west-1.");
  }

  @Test
  void verify_putDenied_failsWriteWithThePolicyToAdd() throws Exception {
    proxy.when(r -> isProbe(r) && r.method().equals("PUT"), Fault.s3Error(403, "AccessDenied", "Access Denied"));

    JsonObject write = step(verify("acme"), "write_probe");

    assertThat(write.getBoolean("passed")).isFalse();
    assertThat(write.getString("detail")).contains("AccessDenied");
    assertThat(write.getString("fix")).contains("Allow s3:PutObject on arn:aws:s3:::");
  }

  @Test
  void verify_readDenied_failsReadWithThePolicyToAdd() throws Exception {
    proxy.when(r -> isProbe(r) && (r.isGet() || r.isHead()), Fault.s3Error(403, "AccessDenied", "Access Denied"));

    JsonObject result = verify("acme");

    assertThat(step(result, "write_probe").getBoolean("passed")).isTrue();
    assertThat(step(result, "read_probe").getBoolean("passed")).isFalse();
    assertThat(step(result, "read_probe").getString("fix")).contains("Allow s3:GetObject");
    assertThat(step(result, "remove_probe").getBoolean("passed")).as("the probe is still removed").isTrue();
  }

  @Test
  void verify_deleteDenied_failsRemoveAndSaysWhereTheProbeStays() throws Exception {
    proxy.when(r -> isProbe(r) && r.method().equals("DELETE"), Fault.s3Error(403, "AccessDenied", "Access Denied"));

    JsonObject result = verify("acme");

    JsonObject remove = step(result, "remove_probe");
    assertThat(result.getBoolean("passed")).isFalse();
    assertThat(remove.getBoolean("passed")).isFalse();
    assertThat(remove.getString("detail")).contains("it stays at").contains(".storage-connect-probe/");
    assertThat(remove.getString("fix")).contains("Allow s3:DeleteObject");
  }

  @Test
  void verify_providerRegisteredWithATrailingSlash_failsAssumeWithInvalidIdentityToken() throws Exception {
    // The customer created the IAM OIDC provider for "<issuer>/": AWS matches iss character for
    // character, so no token of ours is from a provider of that AWS account.
    String role = "arn:aws:iam::210987654321:role/trailing-slash";
    String issuer = new JsonObject(new String(gw.get("/oidc/.well-known/openid-configuration", null).body(), StandardCharsets.UTF_8))
        .getString("issuer");
    gw.sts.trust(role, issuer + "/", "sts.amazonaws.com", "slashco");
    String body = new JsonObject().put("bucket", "acme-originals").put("roleArn", role)
        .put("endpoint", proxy.endpoint()).encode();
    assertThat(admin("PUT", "/admin/v1/accounts/slashco/storage", body).statusCode()).isEqualTo(200);

    JsonObject assume = step(verify("slashco"), "assume_role");

    assertThat(assume.getBoolean("passed")).isFalse();
    assertThat(assume.getString("detail")).contains("InvalidIdentityToken");
    assertThat(assume.getString("fix")).contains(issuer + " exactly").contains("trailing slash");
  }
}
