package io.storageconnect.gateway.reload;

import io.storageconnect.gateway.catalog.CachedCatalog;
import io.storageconnect.gateway.catalog.FileCatalog;
import io.storageconnect.gateway.catalog.StorageConnection;
import io.storageconnect.gateway.catalog.StorageConnections;
import io.storageconnect.gateway.config.ConfigParser;
import io.storageconnect.gateway.config.ConfigSource;
import io.storageconnect.gateway.config.GatewayConfig;
import io.storageconnect.gateway.origin.BucketAddress;
import io.storageconnect.gateway.origin.S3Origin;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live reload of the catalog file and the storage connections (the configuration file's {@code
 * accounts} and the admin API's connections file): reads all three again, validates them together
 * (the catalog against the new accounts) and applies all or nothing. Triggered by SIGHUP, {@code
 * POST /admin/v1/reload} and a poll of the files' size and modification time.
 *
 * <pre>
 * trigger ─► one at a time on one context (triggers meanwhile share the next run)
 *         ─► stat + read the files (async) ─► parse, validate, compare (worker)
 *         ─► problems? log each, keep everything, report them
 *         ─► SDK clients for new buckets (worker) ─► swap connections, swap catalog, drop the
 *            changed assets' cache entries and changed connections' credentials and breakers
 * </pre>
 *
 * <p>Only {@code accounts} takes effect from the configuration file; another section that changed
 * is logged once, by name (never its values), as needing a restart. Requests in flight keep the
 * asset and connection they resolved. Runs on one Vert.x context; never blocks an event loop.
 */
public final class Reloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reloader.class);

  private final Vertx vertx;
  private final Context context;
  private final ConfigSource source;
  private final GatewayConfig running;
  private final CachedCatalog catalog;
  private final StorageConnections connections;
  private final S3Origin origin;
  private final boolean rolesAvailable;
  private final Clock clock;
  private final List<Path> watched = new ArrayList<>();

  /** What is in effect: read on a worker while a reload validates, written on the context. */
  private volatile FileCatalog currentCatalog;
  private volatile Map<String, StorageConnection> currentAccounts;

  // The context's own state (touched only on it).
  private boolean reloading;
  private Promise<Outcome> next;
  private String nextTrigger;
  private boolean polling;
  private List<String> seen;
  private long timer = -1;
  private boolean closed;
  /** Sections changed but not applied, with the value last reported (each change logged once). */
  private final Map<String, Object> pendingRestart = new LinkedHashMap<>();

  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile Instant lastSuccess;

  /**
   * @param source where the configuration came from, or {@code null} to reload the catalog and the
   *     connections file only (the configured accounts then stay as they are)
   * @param running the configuration the gateway started with: the files it names, and the
   *     sections a restart is needed for
   * @param files the catalog read at start-up
   * @param rolesAvailable whether the gateway started with an OIDC issuer (else no connection can
   *     use a role until a restart)
   */
  public Reloader(
      Vertx vertx,
      ConfigSource source,
      GatewayConfig running,
      FileCatalog files,
      CachedCatalog catalog,
      StorageConnections connections,
      S3Origin origin,
      boolean rolesAvailable,
      Clock clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.source = source;
    this.running = running;
    this.currentCatalog = files;
    this.currentAccounts = running.accounts();
    this.catalog = catalog;
    this.connections = connections;
    this.origin = origin;
    this.rolesAvailable = rolesAvailable;
    this.clock = clock;
    if (source != null && source.file() != null) {
      watched.add(source.file());
    }
    watched.add(running.catalog().file());
    if (running.admin() != null && running.admin().connectionsFile() != null) {
      watched.add(running.admin().connectionsFile());
    }
  }

  /**
   * What a reload did: applied (no problems) with what changed and which changed sections wait
   * for a restart, or refused with every problem (never a secret's value).
   */
  public record Outcome(List<String> problems, Changes assets, Changes connections, List<String> restartPending) {
    public Outcome {
      problems = List.copyOf(problems);
      restartPending = List.copyOf(restartPending);
    }

    public boolean applied() {
      return problems.isEmpty();
    }

    static Outcome refused(List<String> problems) {
      return new Outcome(problems, Changes.NONE, Changes.NONE, List.of());
    }
  }

  /** Reloads successfully applied since start-up. */
  public long successes() {
    return successes.get();
  }

  /** Reloads refused (the running configuration kept). */
  public long failures() {
    return failures.get();
  }

  /** When a reload was last applied, if ever. */
  public Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccess);
  }

  /**
   * Notes the files' current size and modification time, then compares them every {@code
   * interval} (zero: never) and reloads when one differs. The comparison follows symlinks, so the
   * swap of a Kubernetes ConfigMap's {@code ..data} link counts as a change (a WatchService is not
   * told of it). Replace files atomically (write aside, then rename): a poll that catches a file
   * half written refuses it, and reloads again once it is whole.
   */
  public void watch(Duration interval) {
    context.runOnContext(v -> fingerprints().onSuccess(now -> {
      if (seen == null) {
        seen = now;
      }
      if (!interval.isZero() && !closed) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> poll());
      }
    }));
  }

  /** Stops polling; a reload under way still finishes. */
  @Override
  public void close() {
    context.runOnContext(v -> {
      closed = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    });
  }

  /**
   * Reloads now, after any reload under way; triggers arriving while this one waits share it (it
   * reads the files after all of them). Completes on the caller's context when called on one.
   *
   * @param trigger what asked, for the log: {@code SIGHUP}, {@code admin API}, {@code file change}
   */
  public Future<Outcome> reload(String trigger) {
    Context caller = Vertx.currentContext();
    Promise<Outcome> answer = Promise.promise();
    context.runOnContext(v -> enqueue(trigger).onComplete(ar -> {
      if (caller == null || caller == context) {
        answer.handle(ar);
      } else {
        caller.runOnContext(x -> answer.handle(ar));
      }
    }));
    return answer.future();
  }

  private Future<Outcome> enqueue(String trigger) {
    if (!reloading) {
      reloading = true;
      return run(trigger);
    }
    if (next == null) {
      next = Promise.promise();
      nextTrigger = trigger;
    }
    return next.future();
  }

  /** One reload, then the one queued behind it, if any. Called and completed on the context. */
  private Future<Outcome> run(String trigger) {
    return attempt(trigger).onComplete(done -> {
      if (next != null) {
        Promise<Outcome> queued = next;
        String queuedTrigger = nextTrigger;
        next = null;
        nextTrigger = null;
        run(queuedTrigger).onComplete(queued);
      } else {
        reloading = false;
      }
    });
  }

  private void poll() {
    if (polling || reloading || closed) {
      return; // a reload under way records the files it reads; the next poll compares again
    }
    polling = true;
    fingerprints().onComplete(ar -> {
      polling = false;
      if (ar.succeeded() && !ar.result().equals(seen) && !reloading && !closed) {
        seen = ar.result(); // no second trigger for the same change before this reload starts
        reload("file change");
      }
    });
  }

  /** Size and modification time of each watched file (symlinks followed), or "missing". */
  private Future<List<String>> fingerprints() {
    List<Future<String>> each = new ArrayList<>();
    for (Path file : watched) {
      each.add(vertx.fileSystem().props(file.toString())
          .map(props -> props.size() + "@" + props.lastModifiedTime())
          .otherwise("missing"));
    }
    return Future.join(each).transform(ignored -> Future.succeededFuture(each.stream().map(Future::result).toList()));
  }

  /** The files' texts; {@code null} for one not re-read (or unreadable: then with a problem). */
  private record Texts(String config, String catalog, String connections, List<String> problems) {}

  /** A validated reload, ready to apply, or its problems. */
  private record Plan(
      List<String> problems,
      GatewayConfig config,
      Map<String, StorageConnection> configured,
      StorageConnections.Saved saved,
      Map<String, StorageConnection> merged,
      FileCatalog catalog,
      Changes assets,
      Changes connections) {}

  private Future<Outcome> attempt(String trigger) {
    return connections
        .exclusively(() -> onContext(() -> fingerprints()
            .compose(now -> {
              seen = now; // what is about to be read: the poll compares against this
              return read();
            })
            .compose(texts -> vertx.executeBlocking(() -> check(texts), false))
            .compose(plan -> plan.problems().isEmpty() ? prepareAndApply(plan) : Future.succeededFuture(Outcome.refused(plan.problems())))))
        .recover(e -> Future.succeededFuture(Outcome.refused(List.of("reload: failed (" + describe(e) + ")"))))
        .compose(outcome -> onContext(() -> {
          report(trigger, outcome);
          return Future.succeededFuture(outcome);
        }));
  }

  private Future<Texts> read() {
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    Future<String> config =
        source == null ? Future.succeededFuture(null)
            : source.file() == null ? Future.succeededFuture("")
            : read(source.file(), "configuration file", problems);
    Future<String> catalogText = read(running.catalog().file(), "catalog.file", problems);
    Path savedFile = running.admin() == null ? null : running.admin().connectionsFile();
    Future<String> saved =
        savedFile == null
            ? Future.succeededFuture(null)
            : vertx.fileSystem().exists(savedFile.toString())
                .compose(exists -> exists ? read(savedFile, "admin.connectionsFile", problems) : Future.succeededFuture(null));
    return Future.join(config, catalogText, saved)
        .transform(ignored -> Future.succeededFuture(
            new Texts(config.result(), catalogText.result(), saved.result(), List.copyOf(problems))));
  }

  private Future<String> read(Path path, String key, List<String> problems) {
    return vertx.fileSystem()
        .readFile(path.toString())
        .map(buffer -> buffer.toString(StandardCharsets.UTF_8))
        .onFailure(e -> problems.add(key + ": " + path + " (expected: a readable file)"));
  }

  /** Parses and validates everything together; on a worker (a large catalog takes a while). */
  private Plan check(Texts texts) {
    List<String> problems = new ArrayList<>(texts.problems());
    GatewayConfig config = null;
    if (texts.config() != null) {
      try {
        config = source.parse(texts.config());
      } catch (ConfigParser.InvalidConfigException e) {
        problems.addAll(e.problems());
      }
    }
    // Without a valid new configuration, the catalog is still checked against the accounts in
    // effect, so that one answer lists every problem.
    Map<String, StorageConnection> configured = config != null ? config.accounts() : currentAccounts;
    if (config != null && !rolesAvailable) {
      config.accounts().forEach((account, c) -> {
        if (c.address().role() != null) {
          problems.add("accounts." + account + ".roleArn: set, but the gateway started without oidc (expected: static keys, or a restart with oidc)");
        }
      });
    }
    StorageConnections.Saved saved =
        texts.connections() == null ? StorageConnections.Saved.NONE : StorageConnections.parseFile(texts.connections(), problems);
    Map<String, StorageConnection> merged = StorageConnections.merge(configured, saved);
    FileCatalog files = null;
    if (texts.catalog() != null) {
      try {
        files = FileCatalog.parse(texts.catalog(), merged.keySet());
      } catch (FileCatalog.InvalidCatalogException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      return new Plan(problems, null, null, null, null, null, null, null);
    }
    // Inside StorageConnections.exclusively: nothing else changes the connections meanwhile.
    return new Plan(
        problems, config, configured, saved, merged, files,
        Changes.between(currentCatalog.assets(), files.assets()),
        Changes.between(connections.all(), merged));
  }

  private Future<Outcome> prepareAndApply(Plan plan) {
    List<BucketAddress> fresh = new ArrayList<>();
    plan.connections().added().forEach(account -> fresh.add(plan.merged().get(account).address()));
    plan.connections().changed().forEach(account -> fresh.add(plan.merged().get(account).address()));
    // Before any request can reach them: building an SDK client blocks for a while.
    Future<Void> prepared =
        fresh.isEmpty() ? Future.succeededFuture() : vertx.executeBlocking(() -> {
          origin.prepare(fresh);
          return null;
        }, false);
    return prepared.compose(v -> onContext(() -> Future.succeededFuture(apply(plan))));
  }

  /** The swap: connections first, so that an asset moved to a new account finds it. */
  private Outcome apply(Plan plan) {
    connections.replace(plan.configured(), plan.saved());
    catalog.replace(plan.catalog(), plan.assets().all());
    currentCatalog = plan.catalog();
    currentAccounts = plan.configured();
    return new Outcome(List.of(), plan.assets(), plan.connections(), restartPending(plan.config()));
  }

  /**
   * Sections of the new configuration that differ from the running ones; newly changed ones are
   * logged once, by name only (their values may be secrets).
   */
  private List<String> restartPending(GatewayConfig config) {
    if (config == null) {
      return List.copyOf(pendingRestart.keySet());
    }
    Map<String, Object> was = sections(running);
    List<String> newly = new ArrayList<>();
    sections(config).forEach((section, value) -> {
      if (Objects.equals(was.get(section), value)) {
        pendingRestart.remove(section);
      } else if (!pendingRestart.containsKey(section) || !Objects.equals(pendingRestart.get(section), value)) {
        pendingRestart.put(section, value);
        newly.add(section);
      }
    });
    if (!newly.isEmpty()) {
      log.warn("configuration changed in {}: takes effect only after a restart (running values kept)", String.join(", ", newly));
    }
    return List.copyOf(pendingRestart.keySet());
  }

  /** Every section but {@code accounts}, by its name in the file. */
  private static Map<String, Object> sections(GatewayConfig c) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("server", c.server());
    s.put("auth", c.auth());
    s.put("delivery", c.delivery());
    s.put("origin", c.origin());
    s.put("catalog", c.catalog());
    s.put("managed", c.managed());
    s.put("oidc", c.oidc());
    s.put("sts", c.sts());
    s.put("admin", c.admin());
    s.put("resilience", List.of(c.breakers(), c.fallbackRenditions()));
    s.put("cors", c.cors());
    s.put("metrics", c.metrics());
    s.put("reload", c.reload());
    return s;
  }

  private void report(String trigger, Outcome outcome) {
    if (outcome.applied()) {
      successes.incrementAndGet();
      lastSuccess = clock.instant();
      log.info("reloaded ({}): assets {}; storage connections {}", trigger, outcome.assets(), outcome.connections());
    } else {
      failures.incrementAndGet();
      for (String problem : outcome.problems()) {
        log.warn("reload ({}) refused, running configuration kept: {}", trigger, problem);
      }
    }
  }

  /** Runs {@code work} on the reloader's context; its future completes there. */
  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  /** An unexpected failure, briefly: its type and first line (SDK messages carry no secret). */
  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    message = message.length() > 200 ? message.substring(0, 197) + "..." : message;
    return e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }
}
