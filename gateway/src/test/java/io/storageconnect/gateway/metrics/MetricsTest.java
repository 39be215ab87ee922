package io.storageconnect.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: what an operator's Prometheus scrapes, with bounded labels only. */
class MetricsTest {
  static GatewayFixture gw;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start(Map.of(), true);
    token = gw.tokens.all(TestData.ACCOUNT, "clip", "missing", "clip-rendition");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static String scrape() throws Exception {
    HttpResponse<byte[]> r = gw.get("/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /** The value of the first sample whose name and labels contain all the given parts. */
  static double sample(String text, String name, String... labelParts) {
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String part : labelParts) {
        all &= line.contains(part);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no sample " + name + " with " + String.join(", ", labelParts) + " in:\n" + text);
  }

  @Test
  void requestsDeliveriesAndBucketCalls_areCountedByRouteStatusAndSource() throws Exception {
    assertThat(gw.get("/v1/assets/clip/play", token, "Range", "bytes=0-9").statusCode()).isEqualTo(206);
    assertThat(gw.get("/v1/assets/clip/renditions/h264_360p", token).statusCode()).isEqualTo(200);
    assertThat(gw.get("/v1/assets/clip/original?delivery=redirect", token).statusCode()).isEqualTo(302);

    String text = scrape();
    // Requests per route template, method and status; latency as a histogram.
    assertThat(sample(text, "gateway_http_requests_seconds_count", "method=\"GET\"", "route=\"/v1/assets/{id}/play\"", "status=\"206\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "gateway_http_requests_seconds_bucket", "route=\"/v1/assets/{id}/original\"", "status=\"302\"", "le=\"+Inf\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "gateway_http_connections")).isGreaterThanOrEqualTo(1); // this scrape's own
    // Bytes sent by delivery source.
    assertThat(sample(text, "gateway_delivery_bytes_total", "source=\"customer\"")).isGreaterThanOrEqualTo(10);
    assertThat(sample(text, "gateway_delivery_bytes_total", "source=\"managed\"")).isGreaterThanOrEqualTo(TestData.RENDITION.length);
    assertThat(sample(text, "gateway_delivery_responses_total", "source=\"redirect\"")).isGreaterThanOrEqualTo(1);
    // Calls on buckets by kind, operation and result; timed.
    assertThat(sample(text, "gateway_origin_requests_total", "bucket=\"customer\"", "operation=\"get\"", "result=\"ok\"")).isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "gateway_origin_requests_total", "bucket=\"customer\"", "operation=\"presign\"")).isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "gateway_origin_requests_total", "bucket=\"managed\"", "operation=\"get\"")).isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "gateway_origin_request_duration_seconds_count", "bucket=\"customer\"", "operation=\"head\"")).isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "gateway_origin_read_bytes_total", "bucket=\"customer\"")).isGreaterThanOrEqualTo(10);
  }

  @Test
  void cacheStatistics_countOneLookupPerRequest() throws Exception {
    String before = scrape();
    double misses = sample(before, "cache_gets_total", "cache=\"object_metadata\"", "result=\"miss\"");
    double hits = sample(before, "cache_gets_total", "cache=\"object_metadata\"", "result=\"hit\"");
    String viewer = gw.tokens.all(TestData.ACCOUNT, "empty");
    assertThat(gw.get("/v1/assets/empty/original?delivery=stream", viewer).statusCode()).isEqualTo(200);
    assertThat(gw.get("/v1/assets/empty/original?delivery=stream", viewer).statusCode()).isEqualTo(200);

    String after = scrape();
    assertThat(sample(after, "cache_gets_total", "cache=\"object_metadata\"", "result=\"miss\"")).isEqualTo(misses + 1);
    assertThat(sample(after, "cache_gets_total", "cache=\"object_metadata\"", "result=\"hit\"")).isEqualTo(hits + 1);
  }

  @Test
  void concurrentScrapes_eachSeeWholeRowSets() throws Exception {
    assertThat(gw.get("/v1/assets/clip/play", token, "Range", "bytes=0-0").statusCode()).isEqualTo(206);
    java.util.List<java.util.concurrent.CompletableFuture<String>> scrapes = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      scrapes.add(gw.http.sendAsync(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gw.gateway.port() + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString())
          .thenApply(HttpResponse::body));
    }
    for (var scrape : scrapes) {
      String text = scrape.get(30, java.util.concurrent.TimeUnit.SECONDS);
      for (String state : java.util.List.of("closed", "open", "half_open")) {
        assertThat(text).contains("gateway_breaker_state{account=\"" + TestData.ACCOUNT + "\",state=\"" + state + "\"}");
      }
    }
  }

  @Test
  void breakersCachesSdkPoolAndJvm_areShown() throws Exception {
    gw.get("/v1/assets/clip/play", token, "Range", "bytes=0-0");
    gw.get("/v1/assets/clip/play", token, "Range", "bytes=1-1");
    String text = scrape();

    assertThat(sample(text, "gateway_breaker_state", "account=\"" + TestData.ACCOUNT + "\"", "state=\"closed\"")).isEqualTo(1);
    assertThat(sample(text, "gateway_breaker_state", "account=\"" + TestData.ACCOUNT + "\"", "state=\"open\"")).isZero();
    // The second request's token was verified before: a hit.
    assertThat(sample(text, "cache_gets_total", "cache=\"viewer_tokens\"", "result=\"hit\"")).isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "cache_gets_total", "cache=\"object_metadata\"", "result=\"hit\"")).isGreaterThanOrEqualTo(1);
    assertThat(text).contains("cache_gets_total{cache=\"catalog\"").contains("cache=\"presigned_urls\"");
    // The SDK's connection pool, from its metric publisher.
    assertThat(sample(text, "gateway_sdk_pool_max")).isGreaterThanOrEqualTo(1);
    assertThat(text).contains("gateway_sdk_pool_leased ").contains("gateway_sdk_pool_pending ").contains("gateway_sdk_pool_available ");
    // SDK clients held: the managed bucket's and the connections' (one per region, endpoint, keys).
    assertThat(sample(text, "gateway_origin_sdk_clients")).isBetween(1.0, 3.0);
    // JVM and process basics, and Vert.x's worker pools.
    // Lines the log queues dropped (none here), by log.
    assertThat(sample(text, "gateway_log_dropped_total", "log=\"audit\"")).isZero();
    assertThat(text).contains("jvm_memory_used_bytes{").contains("jvm_gc_max_data_size_bytes").contains("jvm_threads_live_threads").contains("process_cpu_usage").contains("vertx_pool_");
  }

  @Test
  void stsCallsAndCredentialAge_perConfiguredAccount() throws Exception {
    GatewayFixture roles = GatewayFixture.startWithRoles(Map.of());
    try {
      String viewer = roles.tokens.all(TestData.ACCOUNT, "clip");
      assertThat(roles.get("/v1/assets/clip/play", viewer).statusCode()).isEqualTo(200);
      String text = new String(roles.get("/metrics", null).body(), StandardCharsets.UTF_8);

      assertThat(sample(text, "gateway_sts_calls_total", "account=\"acme\"", "result=\"ok\"")).isEqualTo(1);
      assertThat(sample(text, "gateway_sts_credentials_age_seconds", "account=\"acme\"")).isGreaterThanOrEqualTo(0);
      assertThat(sample(text, "gateway_sts_credentials_expiry_seconds", "account=\"acme\"")).isPositive();
      assertThat(sample(text, "cache_gets_total", "cache=\"role_credentials\"", "result=\"miss\"")).isGreaterThanOrEqualTo(1);
      // A failed call, by STS's error code: mallory is configured with a role that does not trust it.
      assertThat(roles.get("/v1/assets/mallory-clip/play", roles.tokens.all("mallory", "mallory-clip")).statusCode()).isEqualTo(502);
      text = new String(roles.get("/metrics", null).body(), StandardCharsets.UTF_8);
      assertThat(sample(text, "gateway_sts_calls_total", "account=\"mallory\"", "result=\"AccessDenied\"")).isEqualTo(1);
      assertThat(text).doesNotContain("gateway_sts_credentials_age_seconds{account=\"mallory\"");
      // Reloads, applied and refused.
      java.net.http.HttpRequest reload = java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + roles.gateway.port() + "/admin/v1/reload"))
          .header("Authorization", "Bearer " + GatewayFixture.ADMIN_TOKEN)
          .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
      assertThat(roles.send(reload).statusCode()).isEqualTo(200);
      text = new String(roles.get("/metrics", null).body(), StandardCharsets.UTF_8);
      assertThat(sample(text, "gateway_reloads_total", "result=\"applied\"")).isEqualTo(1);
      assertThat(sample(text, "gateway_reloads_total", "result=\"refused\"")).isZero();
      assertThat(sample(text, "gateway_reload_last_success_seconds")).isPositive();
      // Each event loop's lag is sampled.
      assertThat(text).contains("gateway_event_loop_lag_seconds_count").contains("gateway_event_loop_lag_seconds_max");
    } finally {
      roles.close();
    }
  }

  @Test
  void fallbacks_areCountedByReason() throws Exception {
    GatewayFixture.await(gw.customerProxy.refuseConnections());
    try {
      HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token);
      assertThat(r.headers().firstValue("X-Delivery-Fallback")).isPresent();
      String reason = r.headers().firstValue("X-Delivery-Fallback").orElseThrow();
      String text = scrape();
      assertThat(sample(text, "gateway_fallbacks_total", "reason=\"" + reason + "\"")).isGreaterThanOrEqualTo(1);
      assertThat(sample(text, "gateway_origin_requests_total", "bucket=\"customer\"", "result=\"unreachable\"")).isGreaterThanOrEqualTo(1);
    } finally {
      GatewayFixture.await(gw.customerProxy.acceptConnections());
    }
  }

  @Test
  void labels_stayBounded_whatEverPathsClientsSend() throws Exception {
    String before = scrape();
    Set<String> routesBefore = labelValues(before, "route");
    for (int i = 0; i < 40; i++) {
      String noise = UUID.randomUUID().toString();
      gw.get("/v1/assets/" + noise + "/original", token);
      gw.get("/" + noise + "/x?token=" + noise, null);
      gw.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gw.gateway.port() + "/v1/assets/clip/original"))
          .method("X" + i, java.net.http.HttpRequest.BodyPublishers.noBody()).build());
    }
    String after = scrape();

    assertThat(after).doesNotContainPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}");
    assertThat(after).doesNotContain("X39");
    Set<String> routes = labelValues(after, "route");
    assertThat(routes).allMatch(r -> r.equals("other") || r.startsWith("/") || r.startsWith("{issuer}"));
    assertThat(labelValues(after, "method")).isSubsetOf("GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "OTHER");
    assertThat(routes.size()).as("route label values: %s", routes).isLessThanOrEqualTo(routesBefore.size() + 2);
    assertThat(after).doesNotContain(TestData.CUSTOMER_BUCKET).doesNotContain("eyJ");
  }

  static Set<String> labelValues(String text, String label) {
    Set<String> values = new TreeSet<>();
    Matcher m = Pattern.compile(label + "=\"([^\"]*)\"").matcher(text);
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  @Test
  void disabled_noMetricsEndpoint() throws Exception {
    GatewayFixture off = GatewayFixture.start(Map.of("GATEWAY_METRICS_ENABLED", "false"), false);
    try {
      HttpResponse<byte[]> r = off.get("/metrics", null);
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).startsWith("{").doesNotContain("jvm_");
      assertThat(off.get("/health/ready", null).statusCode()).isEqualTo(200);
    } finally {
      off.close();
    }
  }

  @Test
  void withAToken_scrapesMustPresentIt() throws Exception {
    String secret = "metrics-token-0123456789";
    GatewayFixture guarded = GatewayFixture.start(Map.of("GATEWAY_METRICS_TOKEN", secret), false);
    try {
      HttpResponse<byte[]> refused = guarded.get("/metrics", null);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(new String(refused.body(), StandardCharsets.UTF_8)).startsWith("{").doesNotContain("jvm_");
      assertThat(guarded.get("/metrics", "wrong-token-0123456789").statusCode()).isEqualTo(401);
      HttpResponse<byte[]> ok = guarded.get("/metrics", secret);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(new String(ok.body(), StandardCharsets.UTF_8)).contains("jvm_memory_used_bytes");
    } finally {
      guarded.close();
    }
  }
}
