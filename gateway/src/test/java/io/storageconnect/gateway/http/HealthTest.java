package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.DemoMedia;
import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Readiness reports the managed bucket without failing on it: every replica sees that bucket's
 * outage at once, and taking them all out of the load balancer would stop originals too.
 */
class HealthTest {
  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void ready_reportsTheManagedBucket_ok() throws Exception {
    GatewayFixture gw = GatewayFixture.start();
    try {
      HttpResponse<byte[]> live = gw.get("/health/live", null);
      HttpResponse<byte[]> ready = gw.get("/health/ready", null);

      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(json(live).getString("status")).isEqualTo("UP");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(json(ready).getString("status")).isEqualTo("UP");
      assertThat(json(ready).getString("managed")).isEqualTo("ok");
      assertThat(ready.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(ready.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    } finally {
      gw.close();
    }
  }

  @Test
  void ready_staysUp_whileTheManagedBucketsBreakerIsOpen() throws Exception {
    GatewayFixture gw = GatewayFixture.start(Map.of(
        "GATEWAY_MANAGED_ENDPOINT", DemoMedia.DOWN_ENDPOINT,
        "GATEWAY_RESILIENCE_MINIMUMCALLS", "2",
        "GATEWAY_RESILIENCE_WINDOW", "4",
        "GATEWAY_RESILIENCE_FAILURERATEPERCENT", "50"), false);
    try {
      String token = gw.tokens.all(TestData.ACCOUNT, "clip");
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/v1/assets/clip/renditions/h264_360p", token).statusCode()).isGreaterThanOrEqualTo(500);
      }

      HttpResponse<byte[]> ready = gw.get("/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(json(ready).getString("status")).isEqualTo("UP");
      assertThat(json(ready).getString("managed")).isEqualTo("unreachable");
      // Originals do not need the managed bucket: they are still served.
      assertThat(gw.get("/v1/assets/clip/play", token).statusCode()).isEqualTo(200);
    } finally {
      gw.close();
    }
  }
}
