package io.storageconnect.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up as an operator sees it: a real JVM, real files, the exit status and what is printed. */
class MainTest {
  @TempDir Path dir;

  record Run(int exit, String stderr) {}

  private Run run(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the process ends by itself").isTrue();
    return new Run(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void invalidConfig_printsEveryProblemAndExits2() throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, """
        server: { port: 99999 }
        managed: { region: us-east-1, bucket: "UPPER" }
        auth:
          originSecret: "not-long-enough-secret-value"
        """);

    Run run = run("--config", config.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("server.port: 99999 (expected: an integer 0..65535)")
        .contains("managed.bucket: UPPER")
        .contains("auth.issuer: missing")
        .contains("catalog.file: missing")
        .contains("auth.originSecret: ***")
        .doesNotContain("not-long-enough-secret-value")
        .doesNotContain("\tat ");
  }

  @Test
  void missingFiles_areAllReportedAndExit1() throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, """
        auth:
          issuer: https://platform.example.com
          keys:
            - { algorithm: RS256, path: missing-a.pem }
            - { algorithm: ES256, path: missing-b.pem }
        catalog: { file: missing-catalog.yaml }
        managed: { region: us-east-1, bucket: platform-managed }
        server: { port: 0 }
        """);

    Run run = run("--config", config.toString());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.stderr())
        .contains("auth.keys.0.path: " + dir.resolve("missing-a.pem"))
        .contains("auth.keys.1.path: " + dir.resolve("missing-b.pem"))
        .contains("catalog.file: " + dir.resolve("missing-catalog.yaml"))
        .doesNotContain("\tat ");
  }

  @Test
  void unknownArgument_printsUsageAndExits2() throws Exception {
    Run run = run("--frobnicate");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.stderr()).contains("usage: gateway --config <file.yaml>");
  }

  @Test
  void unreadableConfigFile_exits2() throws Exception {
    Run run = run("--config", dir.resolve("nope.yaml").toString() + File.separator);

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.stderr()).contains("cannot read configuration file");
  }
}
