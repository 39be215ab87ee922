package io.storageconnect.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Hot path 4, playback while the customer's bucket does not answer (the demo's {@code globex}
 * account points at a loopback port nobody listens on): the first requests find out, the bucket's
 * breaker opens, and from then on every player gets the managed proxy at once. Zero failures: a
 * player never sees a 5xx while a proxy exists.
 *
 * <p>Properties: {@code rate} (players/s), {@code duration} (s), {@code p50Ms}, {@code p99Ms}.
 */
public class FallbackSimulation extends Simulation {
  private final Harness gateway = Harness.start("fallback", 0);

  private final ScenarioBuilder player =
      scenario("player, bucket unreachable")
          .exec(http("probe bytes=0-1 (proxy)")
              .get("/v1/assets/offline-video/play")
              .header("Range", "bytes=0-1")
              .check(status().in(200, 206), header("X-Delivery-Source").is("managed-proxy"),
                  header("X-Delivery-Fallback").is("unreachable"), header("Cache-Control").is("no-store")))
          .exec(http("whole proxy")
              .get("/v1/assets/offline-video/play")
              .check(status().is(200), header("X-Delivery-Source").is("managed-proxy")));

  {
    setUp(player.injectOpen(constantUsersPerSec(Load.value("rate", 20, 200)).during(Load.seconds("duration", 5, 60))))
        .protocols(http.baseUrl(gateway.baseUrl).header("Authorization", "Bearer " + gateway.offlineToken).disableCaching())
        .assertions(
            global().failedRequests().percent().is(0.0),
            // The first players wait while the gateway finds the bucket down (up to the SDK's
            // retries and origin.acquireTimeout, seconds); a 5 s smoke run is mostly those.
            global().responseTime().percentile(50.0).lt(Load.value("p50Ms", 15000, 50)),
            global().responseTime().percentile(99.0).lt(Load.value("p99Ms", 30000, 12000)));
  }

  @Override
  public void after() {
    gateway.close();
  }
}
