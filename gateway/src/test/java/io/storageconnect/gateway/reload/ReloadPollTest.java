package io.storageconnect.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import io.storageconnect.gateway.support.S3Server;
import io.storageconnect.gateway.support.TestData;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reload on a file change, found by the poll ({@code reload.interval: 100ms} here): a replaced
 * catalog, a Kubernetes ConfigMap's symlink swap, a new account in the configuration, an invalid
 * file refused once and then its fix applied. Waits for outcomes, never for a duration.
 */
class ReloadPollTest {
  static GatewayFixture gw;
  static String catalog;
  static String config;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start(Map.of("GATEWAY_RELOAD_INTERVAL", "100ms"), false);
    catalog = Files.readString(gw.dir.resolve("catalog.yaml"));
    config = Files.readString(gw.dir.resolve("gateway.yaml"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void restore() throws Exception {
    write(gw.dir.resolve("catalog.yaml"), catalog);
    write(gw.dir.resolve("gateway.yaml"), config);
    assertThat(GatewayFixture.await(gw.gateway.reloader().reload("test")).problems()).isEmpty();
  }

  /** Written aside, then renamed over (a symlink at the target is replaced, not followed). */
  static void write(Path target, String content) throws Exception {
    Path aside = target.resolveSibling("." + target.getFileName() + ".new");
    Files.writeString(aside, content);
    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static int status(String asset) throws Exception {
    return play(asset).statusCode();
  }

  static HttpResponse<byte[]> play(String asset) throws Exception {
    return gw.get("/v1/assets/" + asset + "/play", gw.tokens.all(TestData.ACCOUNT, asset));
  }

  static final String ADDED = "  - id: poll-added\n    account: acme\n    key: originals/clip.mp4\n";

  @Test
  void poll_catalogReplaced_newAssetServed() throws Exception {
    assertThat(status("poll-added")).isEqualTo(404);

    write(gw.dir.resolve("catalog.yaml"), catalog + ADDED);

    Await.until("the new asset is served", () -> {
      try {
        return status("poll-added") == 200;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(play("poll-added").body()).isEqualTo(TestData.CLIP);
    assertThat(LogCapture.lines()).anyMatch(l -> l.contains("reloaded (file change): assets 1 added, 0 changed, 0 removed"));
  }

  /**
   * A ConfigMap volume: {@code catalog.yaml -> ..data/catalog.yaml}, {@code ..data -> ..v1}; an
   * update writes {@code ..v2} and swaps the {@code ..data} link atomically. The file itself is
   * never written, so a WatchService on it would not be told.
   */
  @Test
  void poll_configMapSymlinkSwap_isSeen() throws Exception {
    Path dir = gw.dir;
    Files.createDirectory(dir.resolve("..v1"));
    Files.writeString(dir.resolve("..v1/catalog.yaml"), catalog);
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
    Path link = dir.resolve(".catalog.yaml.link");
    Files.createSymbolicLink(link, Path.of("..data/catalog.yaml"));
    Files.move(link, dir.resolve("catalog.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    GatewayFixture.await(gw.gateway.reloader().reload("test")); // the same catalog, through the links
    assertThat(status("poll-added")).isEqualTo(404);

    Files.createDirectory(dir.resolve("..v2"));
    Files.writeString(dir.resolve("..v2/catalog.yaml"), catalog + ADDED);
    Path swap = dir.resolve("..data_tmp");
    Files.createSymbolicLink(swap, Path.of("..v2"));
    Files.move(swap, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    Await.until("the asset of the swapped-in catalog is served", () -> {
      try {
        return status("poll-added") == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  void poll_newAccountThenItsAsset_servedThroughANewClient() throws Exception {
    // Another endpoint spelling: another SDK client, built on a worker before the swap.
    String endpoint = "http://localhost:" + gw.s3.port();
    write(gw.dir.resolve("gateway.yaml"), config
        + "  initech:\n"
        + "    region: us-east-1\n"
        + "    bucket: " + TestData.OTHER_BUCKET + "\n"
        + "    endpoint: " + endpoint + "\n"
        + "    credentials: { accessKeyId: " + S3Server.ACCESS_KEY + ", secretAccessKey: " + S3Server.SECRET_KEY + " }\n");
    write(gw.dir.resolve("catalog.yaml"), catalog + "  - id: initech-clip\n    account: initech\n    key: globex/clip.mp4\n");

    Await.until("the new account's asset is served", () -> {
      try {
        return gw.get("/v1/assets/initech-clip/play", gw.tokens.all("initech", "initech-clip")).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
    HttpResponse<byte[]> r = gw.get("/v1/assets/initech-clip/play", gw.tokens.all("initech", "initech-clip"));
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("globex-clip");
  }

  @Test
  void poll_invalidCatalog_refusedOnce_oldServes_thenTheFixedFileApplies() throws Exception {
    long failures = gw.gateway.reloader().failures();
    long successes = gw.gateway.reloader().successes();

    write(gw.dir.resolve("catalog.yaml"), catalog + "  - id: poll-orphan\n    account: nobody\n    key: x.mp4\n");
    Await.until("the invalid file is refused", () -> gw.gateway.reloader().failures() > failures);
    assertThat(status("clip")).isEqualTo(200);
    assertThat(LogCapture.lines()).anyMatch(l -> l.startsWith("WARN ")
        && l.contains("reload (file change) refused, running configuration kept: ") && l.contains("account: nobody (expected: an account with a storage connection)"));

    write(gw.dir.resolve("catalog.yaml"), catalog + ADDED);
    Await.until("the fixed file is applied", () -> gw.gateway.reloader().successes() > successes);

    assertThat(status("poll-added")).isEqualTo(200);
    assertThat(gw.gateway.reloader().failures()).as("an unchanged invalid file is not read again on every poll").isEqualTo(failures + 1);
  }
}
