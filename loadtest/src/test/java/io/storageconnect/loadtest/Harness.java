package io.storageconnect.loadtest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway under load and its origin, on loopback. By default it starts the demo set-up
 * (S3Proxy with the sample media and a large sparse object, the gateway from its configuration
 * file) as its own JVM from the gateway module's test classpath, and stops it afterwards; the
 * child also ends by itself when this JVM dies (it watches its stdin).
 *
 * <p>{@code -Dgateway.demo=path/to/demo.json} points at a set-up that is already running instead
 * (the demo writes that file), and {@code -Dgateway.url=...} replaces its base URL (a CDN or a
 * proxy in front).
 */
final class Harness implements AutoCloseable {
  final String baseUrl;
  final String token;
  final String offlineToken;
  final String originSecretHeader;
  final String originSecret;
  final long largeObjectBytes;
  private final Process process;

  private Harness(Map<String, String> info, Process process) {
    this.baseUrl = System.getProperty("gateway.url", info.get("baseUrl"));
    this.token = info.get("token");
    this.offlineToken = info.get("offlineToken");
    this.originSecretHeader = info.get("originSecretHeader");
    this.originSecret = info.get("originSecret");
    this.largeObjectBytes = Long.parseLong(info.get("largeObjectBytes"));
    this.process = process;
  }

  /** Starts (or finds) the set-up for one simulation, with a large object of {@code largeMb} MiB. */
  static Harness start(String name, long largeMb) {
    try {
      String running = System.getProperty("gateway.demo");
      if (running != null) {
        return new Harness(readInfo(Path.of(running)), null);
      }
      return launch(name, largeMb);
    } catch (IOException e) {
      throw new IllegalStateException("could not start the gateway under test: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the gateway under test", e);
    }
  }

  private static Harness launch(String name, long largeMb) throws IOException, InterruptedException {
    Path module = Path.of(System.getProperty("gateway.module", "../gateway")).toAbsolutePath().normalize();
    Path classpathFile = module.resolve("target/test-classpath.txt");
    Path testClasses = module.resolve("target/test-classes");
    if (!Files.exists(classpathFile) || !Files.isDirectory(testClasses)) {
      throw new IllegalStateException("the gateway module is not built (" + classpathFile + " missing): run "
          + "`mvn -B verify` from the top, or `mvn -B -pl gateway -DskipTests test-compile` first");
    }
    Path work = Path.of(System.getProperty("load.workDir", "target")).toAbsolutePath().resolve("gateway-" + name);
    Files.createDirectories(work);
    Path log = work.resolve("gateway.log");
    Path home = work.resolve("demo");
    Files.deleteIfExists(home.resolve("demo.json"));
    String classpath = String.join(java.io.File.pathSeparator,
        testClasses.toString(), module.resolve("target/classes").toString(), Files.readString(classpathFile).trim());

    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms256m", "-Xmx" + System.getProperty("gateway.heap", "512m"), "-XX:+UseParallelGC",
        "-cp", classpath, "io.storageconnect.gateway.demo.DemoMain"));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("DEMO_HOME", home.toString());
    builder.environment().put("DEMO_LARGE_OBJECT_MB", Long.toString(largeMb));
    builder.environment().put("DEMO_STOP_ON_STDIN_EOF", "true");
    builder.environment().put("GATEWAY_SERVER_PORT", "0");
    Process process = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));

    Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
    Path info = home.resolve("demo.json");
    while (!Files.exists(info)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the gateway under test exited (" + process.exitValue() + "); see " + log);
      }
      if (Instant.now().isAfter(deadline)) {
        process.destroyForcibly();
        throw new IllegalStateException("the gateway under test did not start within 180 s; see " + log);
      }
      Thread.sleep(200);
    }
    System.out.println("[harness] gateway under test for " + name + " (pid " + process.pid() + ", log " + log + ")");
    return new Harness(readInfo(info), process);
  }

  /** The demo's {@code demo.json}: a flat object of strings and numbers. */
  private static Map<String, String> readInfo(Path file) throws IOException {
    String json = Files.readString(file, StandardCharsets.UTF_8);
    Map<String, String> values = new java.util.HashMap<>();
    Matcher m = Pattern.compile("\"(\\w+)\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+))").matcher(json);
    while (m.find()) {
      values.put(m.group(1), m.group(2) != null ? m.group(2).replace("\\/", "/") : m.group(3));
    }
    for (String key : List.of("baseUrl", "token", "offlineToken", "originSecret", "originSecretHeader", "largeObjectBytes")) {
      if (!values.containsKey(key)) {
        throw new IllegalStateException(file + " lacks " + key);
      }
    }
    return values;
  }

  String bearer() {
    return "Bearer " + token;
  }

  /** The pid of the gateway under test, for RSS readings (0 when it is not ours). */
  long pid() {
    return process == null ? 0 : process.pid();
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.flush(); // closing stdin asks the child to exit
    } catch (IOException ignored) {
      // Already gone.
    }
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
