package io.storageconnect.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hot path 2, a video player on {@code /play}: a {@code bytes=0-1} probe for the size, then
 * sequential 1–2 MiB ranges from the start, then random seeks (a 1–2 MiB range at a random
 * offset), as browsers and players do. Streamed through the gateway from the customer bucket.
 *
 * <p>Properties: {@code players} (concurrent), {@code duration} (s), {@code sequential},
 * {@code seeks} (ranges per player pass), {@code objectMb}, {@code p50Ms}, {@code p99Ms}.
 */
public class PlayerSimulation extends Simulation {
  private static final int MIB = 1024 * 1024;

  private final Harness gateway = Harness.start("player", Load.value("objectMb", 256, 1024));

  private static Session nextSequential(Session s) {
    long size = Long.parseLong(s.getString("size"));
    long from = s.contains("next") ? s.getLong("next") : 0;
    if (from >= size) {
      from = 0;
    }
    long to = Math.min(size - 1, from + ThreadLocalRandom.current().nextLong(MIB, 2L * MIB + 1) - 1);
    return s.set("range", "bytes=" + from + "-" + to).set("next", to + 1);
  }

  private static Session nextSeek(Session s) {
    long size = Long.parseLong(s.getString("size"));
    long from = ThreadLocalRandom.current().nextLong(0, size);
    long to = Math.min(size - 1, from + ThreadLocalRandom.current().nextLong(MIB, 2L * MIB + 1) - 1);
    return s.set("range", "bytes=" + from + "-" + to);
  }

  private final ScenarioBuilder player =
      scenario("player")
          .exec(
              http("probe bytes=0-1")
                  .get("/v1/assets/large/play")
                  .header("Range", "bytes=0-1")
                  .check(status().is(206), header("Content-Range").transform(v -> v.substring(v.indexOf('/') + 1)).saveAs("size")))
          .exec(repeat(Load.value("sequential", 8, 16)).on(
              exec(PlayerSimulation::nextSequential),
              http("sequential 1-2 MiB range")
                  .get("/v1/assets/large/play")
                  .header("Range", "#{range}")
                  .check(status().is(206), header("Content-Range").exists())))
          .exec(repeat(Load.value("seeks", 4, 8)).on(
              exec(PlayerSimulation::nextSeek),
              http("seek: random 1-2 MiB range")
                  .get("/v1/assets/large/play")
                  .header("Range", "#{range}")
                  .check(status().is(206), header("Content-Range").exists())));

  {
    setUp(player.injectClosed(constantConcurrentUsers(Load.value("players", 4, 16)).during(Load.seconds("duration", 5, 60))))
        .protocols(http.baseUrl(gateway.baseUrl).header("Authorization", gateway.bearer()).disableCaching())
        .assertions(
            global().failedRequests().percent().is(0.0),
            global().responseTime().percentile(50.0).lt(Load.value("p50Ms", 5000, 100)),
            global().responseTime().percentile(99.0).lt(Load.value("p99Ms", 30000, 500)));
  }

  @Override
  public void after() {
    gateway.close();
  }
}
