package io.storageconnect.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Hot path 1, downloads in redirect mode: token check, cached asset resolution and object
 * metadata, a presigned GET, a 302. The bytes never pass through the gateway.
 *
 * <p>Properties: {@code rate} (requests/s), {@code duration} (s), {@code p50Ms}, {@code p99Ms}.
 */
public class RedirectSimulation extends Simulation {
  private final Harness gateway = Harness.start("redirect", 0);

  private final ScenarioBuilder download =
      scenario("download redirect")
          .exec(
              http("original (302 presigned)")
                  .get("/v1/assets/demo-video/original")
                  .header("Authorization", gateway.bearer())
                  .check(status().is(302), header("Location").exists(), header("Cache-Control").is("no-store")));

  {
    int rate = Load.value("rate", 100, 1500);
    setUp(download.injectOpen(
            rampUsersPerSec(1).to(rate).during(Load.seconds("rampUp", 2, 10)),
            constantUsersPerSec(rate).during(Load.seconds("duration", 5, 60))))
        .protocols(http.baseUrl(gateway.baseUrl).disableFollowRedirect().disableCaching())
        .assertions(
            global().failedRequests().percent().is(0.0),
            global().responseTime().percentile(50.0).lt(Load.value("p50Ms", 5000, 20)),
            global().responseTime().percentile(99.0).lt(Load.value("p99Ms", 30000, 100)));
  }

  @Override
  public void after() {
    gateway.close();
  }
}
