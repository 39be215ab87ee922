package io.storageconnect.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.Await;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM as an orchestrator sends it, to a real gateway JVM with a download in flight:
 * readiness turns 503, the listener then closes, the download finishes whole, and the process
 * exits 0.
 */
class GracefulShutdownTest {
  GatewayFixture gw;
  Process process;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
    if (gw != null) {
      gw.close();
    }
  }

  static int status(int port, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      int status = c.getResponseCode();
      c.disconnect();
      return status;
    } catch (java.io.IOException e) {
      return -1; // refused: nobody listens
    }
  }

  /** Status and {@code Connection} header of a GET, or {@code -1} when nobody listens. */
  static String statusAndConnection(int port, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      String answer = c.getResponseCode() + " " + c.getHeaderField("Connection");
      c.disconnect();
      return answer;
    } catch (java.io.IOException e) {
      return "-1";
    }
  }

  @Test
  void sigterm_drainsTheDownloadInFlight_thenExits0() throws Exception {
    // The fixture's S3Proxy, files and tokens; the gateway under test is a JVM of its own.
    gw = GatewayFixture.start();
    Path log = gw.dir.resolve("child.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // As in production: the jar's logback.xml (JSON lines, never a stack trace), not the tests'.
    String logback = Path.of(Main.class.getResource("/logback.xml").toURI()).toString();
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            "-Dlogback.configurationFile=" + logback, Main.class.getName(), "--config", gw.dir.resolve("gateway.yaml").toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("GATEWAY_SERVER_SHUTDOWNDELAY", "4s");
    builder.environment().put("GATEWAY_SERVER_DRAINTIME", "60s");
    process = builder.start();
    Pattern listening = Pattern.compile("gateway listening on 127\\.0\\.0\\.1:(\\d+)");
    Await.until("the child gateway listens", () -> {
      try {
        return Files.exists(log) && listening.matcher(Files.readString(log)).find();
      } catch (java.io.IOException e) {
        return false;
      }
    });
    Matcher m = listening.matcher(Files.readString(log));
    assertThat(m.find()).isTrue();
    int port = Integer.parseInt(m.group(1));
    assertThat(status(port, "/health/ready")).isEqualTo(200);

    // A download that reads its headers and a little, then stops reading: in flight.
    String token = gw.tokens.all(TestData.ACCOUNT, "large");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setReceiveBufferSize(64 * 1024);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /v1/assets/large/original?delivery=stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + TestData.LARGE_SIZE);
      byte[] first = in.readNBytes(1024);

      process.destroy(); // SIGTERM

      // Clients are told to move on: every answer while draining closes its connection.
      Await.until("readiness answers 503 while draining, with Connection: close",
          () -> statusAndConnection(port, "/health/ready").equals("503 close"));
      Await.until("the listener closes after the shutdown delay", () -> status(port, "/health/live") == -1);
      assertThat(process.isAlive()).as("still draining the download").isTrue();

      socket.setSoTimeout(60_000);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(first);
      body.write(in.readNBytes(TestData.LARGE_SIZE - first.length));
      assertThat(body.toByteArray()).isEqualTo(TestData.LARGE);
      assertThat(in.read()).as("then the connection closes").isEqualTo(-1);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    assertThat(process.exitValue()).isEqualTo(0);
    assertThat(Files.readString(log)).contains("draining").doesNotContain("\tat ");
    // Production logs are JSON, one object per line: application, access and audit lines alike.
    List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
    List<io.vertx.core.json.JsonObject> json = lines.stream().map(io.vertx.core.json.JsonObject::new).toList();
    assertThat(json).allSatisfy(j -> assertThat(j.containsKey("level") || j.containsKey("log")).as(j.encode()).isTrue());
    assertThat(json).anySatisfy(j -> assertThat(j.getString("log")).isEqualTo("access"));
    assertThat(json).anySatisfy(j -> assertThat(j.getString("log")).isEqualTo("audit"));
    assertThat(json).anySatisfy(j -> assertThat(j.getString("formattedMessage")).startsWith("gateway listening on"));
  }

  private static String readHead(InputStream in) throws java.io.IOException {
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
