package io.storageconnect.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import io.storageconnect.gateway.support.S3Server;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live reload through {@code POST /admin/v1/reload} on a real gateway (role mode: acme through
 * the loopback STS, globex with static keys, the admin API on; no file poll): assets added,
 * changed and removed; invalid files refused with every problem while the old configuration
 * serves; a changed connection loses its cached credentials and breaker; a download in flight is
 * untouched by a change of its asset's key.
 */
class ReloadTest {
  static GatewayFixture gw;
  static String catalog;
  static String config;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.startWithRoles(Map.of());
    catalog = Files.readString(gw.dir.resolve("catalog.yaml"));
    config = Files.readString(gw.dir.resolve("gateway.yaml"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  /** Every test starts from the files the gateway started with. */
  @AfterEach
  void restore() throws Exception {
    write("catalog.yaml", catalog);
    write("gateway.yaml", config);
    Files.deleteIfExists(gw.dir.resolve("connections.json"));
    assertThat(reload().statusCode()).isEqualTo(200);
  }

  /** Written aside, then renamed over: a reader never sees half a file. */
  static void write(String name, String content) throws Exception {
    Path target = gw.dir.resolve(name);
    Path aside = gw.dir.resolve("." + name + ".new");
    Files.writeString(aside, content);
    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static String replaced(String text, String from, String to) {
    assertThat(text).as("the fixture's file holds what the test replaces").contains(from);
    return text.replace(from, to);
  }

  static HttpResponse<byte[]> admin(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return gw.send(b.build());
  }

  static HttpResponse<byte[]> reload() throws Exception {
    return admin("POST", "/admin/v1/reload", null, GatewayFixture.ADMIN_TOKEN);
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  static JsonObject counts(int added, int changed, int removed) {
    return new JsonObject().put("added", added).put("changed", changed).put("removed", removed);
  }

  static HttpResponse<byte[]> play(String asset) throws Exception {
    return gw.get("/v1/assets/" + asset + "/play", gw.tokens.all(TestData.ACCOUNT, asset));
  }

  static final String CLIP_ENTRY = "  - id: clip\n    account: acme\n    key: originals/clip.mp4\n";

  @Test
  void reload_withoutTheAdminToken_answers401() throws Exception {
    assertThat(admin("POST", "/admin/v1/reload", null, null).statusCode()).isEqualTo(401);
    assertThat(admin("POST", "/admin/v1/reload", null, gw.tokens.all(TestData.ACCOUNT, "clip")).statusCode()).isEqualTo(401);
  }

  @Test
  void reload_newAsset_isServed_evenRightAfterItWasUnknown() throws Exception {
    assertThat(play("reload-added").statusCode()).as("unknown, and remembered as unknown").isEqualTo(404);
    long successes = gw.gateway.reloader().successes();
    write("catalog.yaml", catalog + "  - id: reload-added\n    account: acme\n    key: originals/clip.mp4\n");

    HttpResponse<byte[]> r = reload();

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r)).isEqualTo(new JsonObject()
        .put("status", "reloaded")
        .put("assets", counts(1, 0, 0))
        .put("connections", counts(0, 0, 0))
        .put("restartPending", new io.vertx.core.json.JsonArray()));
    HttpResponse<byte[]> served = play("reload-added");
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.body()).isEqualTo(TestData.CLIP);
    assertThat(gw.gateway.reloader().successes()).isEqualTo(successes + 1);
    assertThat(gw.gateway.reloader().lastSuccess()).isPresent();
    assertThat(LogCapture.lines()).anyMatch(l -> l.startsWith("INFO ") && l.contains(
        "reloaded (admin API): assets 1 added, 0 changed, 0 removed; storage connections 0 added, 0 changed, 0 removed"));
  }

  @Test
  void reload_changedKey_isServedFromTheNewKey_theCachedEntryDropped() throws Exception {
    assertThat(play("clip").body()).as("cached for catalog.cacheTtl (60 s)").isEqualTo(TestData.CLIP);
    String moved = "originals/space and+plus.mp4";
    write("catalog.yaml", replaced(catalog, CLIP_ENTRY, "  - id: clip\n    account: acme\n    key: \"" + moved + "\"\n"));

    HttpResponse<byte[]> r = reload();

    assertThat(json(r).getJsonObject("assets")).isEqualTo(counts(0, 1, 0));
    HttpResponse<byte[]> served = play("clip");
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(new String(served.body(), StandardCharsets.UTF_8)).as("the object under the new key").isEqualTo(moved);
  }

  @Test
  void reload_removedAsset_answers404() throws Exception {
    assertThat(play("empty").statusCode()).isEqualTo(200);
    write("catalog.yaml", replaced(catalog, "  - id: empty\n    account: acme\n    key: \"originals/empty.bin\"\n    fileName: \"empty.bin\"\n", ""));

    assertThat(json(reload()).getJsonObject("assets")).isEqualTo(counts(0, 0, 1));

    HttpResponse<byte[]> gone = play("empty");
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(json(gone).getString("error")).isEqualTo("asset_not_found");
  }

  @Test
  void reload_invalidCatalog_isRefused_everyProblemLoggedAndAnswered_theOldOneServes() throws Exception {
    long failures = gw.gateway.reloader().failures();
    int lines = LogCapture.lines().size();
    int n = catalog.split("\n  - id: ", -1).length - 1; // index of the first appended asset
    write("catalog.yaml", catalog
        + "  - id: reload-orphan\n    account: nobody\n    key: originals/clip.mp4\n"
        + CLIP_ENTRY
        + "  - id: reload-added\n    account: acme\n    key: originals/clip.mp4\n");

    HttpResponse<byte[]> r = reload();

    assertThat(r.statusCode()).isEqualTo(422);
    JsonObject body = json(r);
    assertThat(body.getString("error")).isEqualTo("invalid_configuration");
    List<String> expected = List.of(
        "assets[" + n + "].account: nobody (expected: an account with a storage connection)",
        "assets[" + (n + 1) + "].id: clip (expected: unique, already used)");
    assertThat(body.getJsonArray("problems").getList()).containsExactlyElementsOf(expected);
    List<String> logged = linesSince(lines);
    for (String problem : expected) {
      assertThat(logged).anyMatch(l -> l.startsWith("WARN ") && l.endsWith("reload (admin API) refused, running configuration kept: " + problem));
    }
    assertThat(gw.gateway.reloader().failures()).isEqualTo(failures + 1);
    assertThat(play("clip").body()).as("the running catalog serves on").isEqualTo(TestData.CLIP);
    assertThat(play("reload-added").statusCode()).as("nothing of the refused file applied").isEqualTo(404);
  }

  @Test
  void reload_catalogNotYaml_isRefused() throws Exception {
    write("catalog.yaml", "assets:\n  - { id: clip, account: acme\n");

    HttpResponse<byte[]> r = reload();

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(json(r).getJsonArray("problems").getList()).singleElement().asString().startsWith("catalog: not valid YAML (");
    assertThat(play("clip").statusCode()).isEqualTo(200);
  }

  @Test
  void reload_invalidConfigurationAndCatalog_everyProblemInOneAnswer_neverASecret() throws Exception {
    String staticKeys = "credentials: { accessKeyId: " + S3Server.ACCESS_KEY + ", secretAccessKey: " + S3Server.SECRET_KEY + " }\n    delivery";
    write("gateway.yaml", replaced(replaced(config, "port: " + gw.gateway.port(), "port: 70000"),
        staticKeys, "credentials: { accessKeyId: " + S3Server.ACCESS_KEY + ", secretAccessKey: [" + S3Server.SECRET_KEY + ", x] }\n    delivery"));
    write("catalog.yaml", catalog + "  - id: reload-orphan\n    account: nobody\n    key: originals/clip.mp4\n");

    HttpResponse<byte[]> r = reload();

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(json(r).getJsonArray("problems").getList()).containsExactlyInAnyOrder(
        "server.port: 70000 (expected: an integer 0..65535)",
        "accounts.globex.credentials.secretAccessKey: *** (expected: a string)",
        "accounts.globex.credentials: *** (expected: both accessKeyId and secretAccessKey, or neither (default chain))",
        "assets[" + (catalog.split("\n  - id: ", -1).length - 1) + "].account: nobody (expected: an account with a storage connection)");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(S3Server.SECRET_KEY);
    assertThat(LogCapture.lines()).noneMatch(l -> l.contains(S3Server.SECRET_KEY));
    assertThat(play("clip").statusCode()).isEqualTo(200);
  }

  @Test
  void reload_changedConnection_dropsItsCredentialsAndBreaker_othersKeepTheirs() throws Exception {
    assertThat(play("clip").statusCode()).isEqualTo(200); // assumes acme's role, opens a breaker
    assertThat(gw.get("/v1/assets/globex-clip/play", gw.tokens.all(TestData.OTHER_ACCOUNT, "globex-clip")).statusCode()).isEqualTo(200);
    JsonObject before = json(admin("GET", "/admin/v1/accounts/acme/health", null, GatewayFixture.ADMIN_TOKEN));
    assertThat(before.getJsonObject("credentials").getString("state")).isEqualTo("valid");
    assertThat(before.getJsonArray("breakers")).isNotEmpty();
    assertThat(gw.get("/v1/assets/clip/original", gw.tokens.all(TestData.ACCOUNT, "clip")).statusCode()).as("redirect mode").isEqualTo(302);
    String prefix = "    prefix: /" + TestData.PREFIX + "\n";
    write("gateway.yaml", replaced(config, prefix, prefix + "    delivery: { mode: stream }\n"));

    HttpResponse<byte[]> r = reload();

    assertThat(json(r).getJsonObject("connections")).isEqualTo(counts(0, 1, 0));
    JsonObject after = json(admin("GET", "/admin/v1/accounts/acme/health", null, GatewayFixture.ADMIN_TOKEN));
    assertThat(after.getJsonObject("credentials").getString("state")).as("cached credentials dropped").isEqualTo("none");
    assertThat(after.getJsonArray("breakers")).as("breaker dropped").isEmpty();
    JsonObject globex = json(admin("GET", "/admin/v1/accounts/globex/health", null, GatewayFixture.ADMIN_TOKEN));
    assertThat(globex.getJsonArray("breakers")).as("an unchanged account keeps its breaker").isNotEmpty();
    HttpResponse<byte[]> streamed = gw.get("/v1/assets/clip/original", gw.tokens.all(TestData.ACCOUNT, "clip"));
    assertThat(streamed.statusCode()).as("the new connection's delivery mode").isEqualTo(200);
    assertThat(streamed.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void reload_sectionsNeedingARestart_loggedOnceByName_neverTheirValues_notApplied() throws Exception {
    int lines = LogCapture.lines().size();
    write("gateway.yaml", replaced(replaced(config, "presignTtl: 10m", "presignTtl: 11m"), "  instances: 2\n", "  instances: 2\n  shutdownDelay: 7s\n"));

    JsonObject first = json(reload());
    JsonObject second = json(reload());

    assertThat(first.getJsonArray("restartPending").getList()).containsExactly("server", "delivery");
    assertThat(second.getJsonArray("restartPending").getList()).containsExactly("server", "delivery");
    List<String> warned = linesSince(lines).stream()
        .filter(l -> l.contains("takes effect only after a restart")).toList();
    assertThat(warned).singleElement().asString()
        .contains("configuration changed in server, delivery: takes effect only after a restart (running values kept)")
        .doesNotContain("11m").doesNotContain("7s");
    String location = gw.get("/v1/assets/clip/original", gw.tokens.all(TestData.ACCOUNT, "clip")).headers().firstValue("Location").orElseThrow();
    assertThat(location).as("the running presign TTL").contains("X-Amz-Expires=600");
  }

  @Test
  void reload_downloadInFlightWhileItsKeyChanges_finishesIntact() throws Exception {
    String token = gw.tokens.all(TestData.ACCOUNT, "large");
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /v1/assets/large/play HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + TestData.LARGE_SIZE);
      byte[] first = in.readNBytes(1024);
      write("catalog.yaml", replaced(catalog, "key: \"originals/large.mov\"\n    fileName: \"large.mov\"", "key: originals/clip.mp4\n    fileName: \"large.mov\""));

      assertThat(json(reload()).getJsonObject("assets")).isEqualTo(counts(0, 1, 0));
      assertThat(play("large").body()).as("a new request: the new key").isEqualTo(TestData.CLIP);

      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(first);
      body.write(in.readNBytes(TestData.LARGE_SIZE - first.length));
      assertThat(body.toByteArray()).as("the download in flight: the old key, whole").isEqualTo(TestData.LARGE);
    }
  }

  /** Regression: deleting a configured account the admin API had overridden came back on reload. */
  @Test
  void reload_afterDeletingAnOverriddenConfiguredAccount_itStaysRemoved() throws Exception {
    String connection = new JsonObject()
        .put("bucket", TestData.OTHER_BUCKET)
        .put("roleArn", "arn:aws:iam::210987654321:role/storage-connect")
        .put("endpoint", gw.s3.endpoint().toString())
        .encode();
    assertThat(admin("PUT", "/admin/v1/accounts/globex/storage", connection, GatewayFixture.ADMIN_TOKEN).statusCode()).isEqualTo(200);
    assertThat(admin("DELETE", "/admin/v1/accounts/globex/storage", null, GatewayFixture.ADMIN_TOKEN).statusCode()).isEqualTo(204);
    // The catalog must no longer name the account (it would be refused, as at start-up).
    write("catalog.yaml", replaced(catalog, "  - id: globex-clip\n    account: globex\n    key: \"clip.mp4\"\n    fileName: \"globex.mp4\"\n", ""));

    HttpResponse<byte[]> r = reload();

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(admin("GET", "/admin/v1/accounts/globex/storage", null, GatewayFixture.ADMIN_TOKEN).statusCode()).isEqualTo(404);
    assertThat(new JsonObject(Files.readString(gw.dir.resolve("connections.json"))).getJsonArray("removed").getList()).containsExactly("globex");
  }

  @Test
  void reload_concurrentTriggers_runOneAtATime_everyCallerAnswered() throws Exception {
    long successes = gw.gateway.reloader().successes();
    int lines = LogCapture.lines().size();
    write("catalog.yaml", catalog + "  - id: reload-added\n    account: acme\n    key: originals/clip.mp4\n");
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          return reload().statusCode();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
      calls.add(gw.gateway.reloader().reload("test").map(o -> o.applied() ? 200 : 422).toCompletionStage().toCompletableFuture());
    }

    for (CompletableFuture<Integer> call : calls) {
      assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo(200);
    }
    long ran = gw.gateway.reloader().successes() - successes;
    assertThat(ran).isBetween(1L, 16L);
    List<String> reloaded = linesSince(lines).stream()
        .filter(l -> l.contains("reloaded (")).toList();
    assertThat(reloaded).hasSize((int) ran);
    assertThat(reloaded).as("the change applied exactly once").filteredOn(l -> l.contains("assets 1 added")).hasSize(1);
    assertThat(play("reload-added").statusCode()).isEqualTo(200);
  }

  static List<String> linesSince(int count) {
    List<String> all = LogCapture.lines();
    return all.subList(count, all.size());
  }

  static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }
}
