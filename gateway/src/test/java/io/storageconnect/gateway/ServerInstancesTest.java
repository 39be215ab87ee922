package io.storageconnect.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.LogCapture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code server.port: 0} with several instances: every instance serves the one port the gateway
 * announces. Left to itself Vert.x gives each instance listening on port 0 its own random port,
 * so the announced port was served by a single event loop (found when 200 players in a test all
 * landed on one loop).
 */
class ServerInstancesTest {
  static final int CONNECTIONS = 40;

  @Test
  void portZero_everyInstanceServesTheAnnouncedPort() throws Exception {
    // The fixture's configuration: port 0, two instances.
    try (GatewayFixture gw = GatewayFixture.start(Map.of(), false)) {
      for (int i = 0; i < CONNECTIONS; i++) {
        assertThat(getOnItsOwnConnection(gw.gateway.port(), "instances-" + i)).startsWith("HTTP/1.1 200");
      }

      List<String> threads = LogCapture.threadsLogging("\"requestId\":\"instances-");
      assertThat(threads).hasSize(CONNECTIONS);
      Set<String> loops = new HashSet<>(threads);
      assertThat(loops).as("event loops that served the announced port").hasSize(2);
    }
  }

  /** One request on a fresh connection, closed after the answer; returns the whole answer. */
  private static String getOnItsOwnConnection(int port, String requestId) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: " + requestId + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
