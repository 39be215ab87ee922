package io.storageconnect.gateway;

import io.storageconnect.gateway.config.ConfigParser;
import io.storageconnect.gateway.config.ConfigSource;
import io.storageconnect.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts the gateway: {@code java -jar gateway.jar --config gateway.yaml} (or {@code
 * GATEWAY_CONFIG=gateway.yaml}). Invalid configuration prints every problem and exits 2.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    String configPath = System.getenv("GATEWAY_CONFIG");
    for (int i = 0; i < args.length; i++) {
      if (("--config".equals(args[i]) || "-c".equals(args[i])) && i + 1 < args.length) {
        configPath = args[++i];
      } else if (args[i].startsWith("--config=")) {
        configPath = args[i].substring("--config=".length());
      } else {
        System.err.println("usage: gateway --config <file.yaml>   (or GATEWAY_CONFIG=<file.yaml>)");
        System.exit(2);
      }
    }
    GatewayConfig config;
    ConfigSource source = new ConfigSource(configPath == null ? null : Path.of(configPath).toAbsolutePath(), System.getenv());
    try {
      config = source.parse(source.file() == null ? "" : Files.readString(source.file()));
    } catch (IOException e) {
      System.err.println("cannot read configuration file " + configPath + ": " + e.getClass().getSimpleName());
      System.exit(2);
      return;
    } catch (ConfigParser.InvalidConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    var metrics = io.storageconnect.gateway.metrics.GatewayMetrics.create();
    // Without /metrics, Vert.x does not measure its HTTP server at all (it costs on every request).
    Vertx vertx = config.metrics().enabled() ? metrics.vertx(new io.vertx.core.VertxOptions()) : Vertx.vertx();
    Gateway.start(vertx, config, java.time.Clock.systemUTC(), source, metrics)
        .onSuccess(gateway -> {
          drainOnSigterm(vertx, gateway, config.server(), () -> {});
          reloadOnSighup(gateway);
        })
        .onFailure(
            e -> {
              System.err.println(
                  "gateway failed to start: " + e.getMessage()
                      + (e instanceof java.net.BindException ? " (server.port " + config.server().port() + ")" : ""));
              vertx.close().onComplete(v -> System.exit(1));
            });
  }

  /**
   * SIGTERM drains instead of dropping requests: readiness turns 503, the listener closes after
   * {@code server.shutdownDelay}, requests in flight get {@code server.drainTime}, and the process
   * exits 0. A second SIGTERM, or the drain overrunning by 30 s, exits at once (after flushing
   * the logs' queues). The demo installs it too, with {@code afterDrain} stopping its S3Proxy.
   */
  public static void drainOnSigterm(
      Vertx vertx, Gateway gateway, io.storageconnect.gateway.config.GatewayConfig.Server server, Runnable afterDrain) {
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
      if (!once.compareAndSet(false, true)) {
        stopLogging();
        Runtime.getRuntime().halt(143);
      }
      Thread watchdog = new Thread(() -> {
        try {
          Thread.sleep(server.shutdownDelay().plus(server.drainTime()).plusSeconds(30).toMillis());
          org.slf4j.LoggerFactory.getLogger(Main.class).error("drain overran by 30 s: exiting now");
          stopLogging();
          Runtime.getRuntime().halt(1);
        } catch (InterruptedException ignored) {
          // Drained in time.
        }
      }, "drain-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
      gateway.drain(server.shutdownDelay())
          .eventually(vertx::close)
          .onComplete(ar -> {
            watchdog.interrupt();
            afterDrain.run();
            System.exit(ar.succeeded() ? 0 : 1);
          });
    });
  }

  /**
   * SIGHUP reloads the catalog and storage connections (the reloader logs the outcome). Without
   * this handler the JVM would treat SIGHUP as a request to exit. The demo installs it too.
   *
   * <p>A process started with SIGHUP ignored ({@code nohup}) keeps ignoring it: the JVM will not
   * take over a signal ignored at start. That is said once, with the ways that still work.
   */
  public static void reloadOnSighup(Gateway gateway) {
    sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> gateway.reloader().reload("SIGHUP"));
    if (previous == sun.misc.SignalHandler.SIG_IGN) {
      org.slf4j.LoggerFactory.getLogger(Main.class).warn(
          "SIGHUP was ignored when this process started (nohup?), so it cannot reload the configuration: "
              + "use POST /admin/v1/reload or the file poll (reload.interval), or start the gateway with env --default-signal=HUP");
    }
  }

  /** Flushes and stops logback's (asynchronous) appenders: before a halt, which skips hooks. */
  private static void stopLogging() {
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.stop();
    }
  }
}
