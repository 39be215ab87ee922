package io.storageconnect.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGHUP as an operator sends it ({@code kill -HUP}), to a real gateway JVM with the file poll
 * off: the catalog is read again and the process keeps serving (the JVM's default would be to
 * exit).
 */
class ReloadSignalTest {
  GatewayFixture gw;
  Process process;
  Path log;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
    if (gw != null) {
      gw.close();
    }
  }

  /**
   * Starts the gateway in its own JVM as an operator would, behind {@code launcher} (e.g. {@code
   * env --default-signal=HUP}, so that a test run under {@code nohup} does not pass its ignored
   * SIGHUP on), and returns its port.
   */
  int startChild(List<String> launcher) throws Exception {
    gw = GatewayFixture.start();
    log = gw.dir.resolve("child.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(launcher);
    command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "--config", gw.dir.resolve("gateway.yaml").toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("GATEWAY_RELOAD_INTERVAL", "0");
    builder.environment().put("GATEWAY_SERVER_SHUTDOWNDELAY", "0s");
    process = builder.start();
    Pattern listening = Pattern.compile("gateway listening on 127\\.0\\.0\\.1:(\\d+)");
    Await.until("the child gateway listens", () -> listening.matcher(logText()).find());
    Matcher m = listening.matcher(Files.readString(log));
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void sighup_reloadsTheCatalog_andKeepsServing() throws Exception {
    int port = startChild(List.of("env", "--default-signal=HUP"));
    URI added = URI.create("http://127.0.0.1:" + port + "/v1/assets/signal-added/play");
    HttpRequest request = HttpRequest.newBuilder(added)
        .header("Authorization", "Bearer " + gw.tokens.all(TestData.ACCOUNT, "signal-added")).build();
    assertThat(gw.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    Path aside = gw.dir.resolve(".catalog.yaml.new");
    Files.writeString(aside, TestData.catalogYaml() + "  - id: signal-added\n    account: acme\n    key: originals/clip.mp4\n");
    Files.move(aside, gw.dir.resolve("catalog.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isEqualTo(0);

    Await.until("the reload is logged", () -> logText().contains("reloaded (SIGHUP): assets 1 added, 0 changed, 0 removed"));
    HttpResponse<byte[]> served = gw.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.body()).isEqualTo(TestData.CLIP);
    assertThat(process.isAlive()).as("SIGHUP does not end the gateway").isTrue();

    process.destroy(); // SIGTERM: the usual graceful exit
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(0);
  }

  /**
   * Started with SIGHUP ignored (as under {@code nohup}), the JVM cannot take the signal over:
   * the gateway says so at start, naming what still reloads it, and SIGHUP leaves it serving.
   */
  @Test
  void sighupIgnoredAtStart_isReported_andDoesNotEndTheGateway() throws Exception {
    int port = startChild(List.of("nohup"));
    Await.until("the warning is logged", () -> logText().contains("SIGHUP was ignored when this process started"));
    assertThat(Files.readString(log)).contains("POST /admin/v1/reload");

    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    HttpResponse<Void> live = gw.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
        HttpResponse.BodyHandlers.discarding());
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(process.isAlive()).isTrue();
  }
}
