package io.storageconnect.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hot path 3, CDN origin pulls of large objects: the CDN presents the origin secret (no viewer
 * token) and always gets the bytes, whole or in big ranges (a CDN's range-slicing fill).
 *
 * <p>Properties: {@code pullers} (concurrent), {@code duration} (s), {@code objectMb},
 * {@code sliceMb} (range size), {@code p99Ms}.
 */
public class OriginPullSimulation extends Simulation {
  private final int objectMb = Load.value("objectMb", 64, 1024);
  private final long slice = (long) Load.value("sliceMb", 8, 16) * 1024 * 1024;
  private final Harness gateway = Harness.start("origin-pull", objectMb);

  private final ScenarioBuilder cdn =
      scenario("CDN origin pull")
          .exec(randomSwitch().on(
              percent(20.0).then(
                  exec(http("whole object").get("/v1/assets/large/original")
                      .check(status().is(200), header("Content-Length").is(Long.toString(gateway.largeObjectBytes))))),
              percent(80.0).then(
                  exec(session -> {
                        long slices = gateway.largeObjectBytes / slice;
                        long from = ThreadLocalRandom.current().nextLong(slices) * slice;
                        return session.set("range", "bytes=" + from + "-" + (from + slice - 1));
                      })
                      .exec(http("aligned slice").get("/v1/assets/large/original")
                          .header("Range", "#{range}")
                          .check(status().is(206), header("Content-Length").is(Long.toString(slice)))))));

  {
    setUp(cdn.injectClosed(constantConcurrentUsers(Load.value("pullers", 2, 8)).during(Load.seconds("duration", 5, 60))))
        .protocols(http.baseUrl(gateway.baseUrl).header(gateway.originSecretHeader, gateway.originSecret).disableCaching())
        .assertions(
            global().failedRequests().percent().is(0.0),
            global().responseTime().percentile(99.0).lt(Load.value("p99Ms", 30000, 30000)));
  }

  @Override
  public void after() {
    gateway.close();
  }
}
