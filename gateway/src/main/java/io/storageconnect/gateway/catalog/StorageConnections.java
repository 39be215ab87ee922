package io.storageconnect.gateway.catalog;

import io.storageconnect.gateway.origin.BucketAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The storage connection of every account, changeable at run time. Lookups read an immutable
 * snapshot (lock-free); a change persists first, then swaps the snapshot, so it takes effect
 * without a restart. With a file, every change rewrites it atomically (temporary file, then an
 * atomic rename), so a crash never leaves a half-written file; changes are applied one at a time.
 * A live reload replaces everything at once ({@link #replace}), in turn with those changes.
 * Runs on event loops; file I/O goes through Vert.x's asynchronous file system.
 */
public final class StorageConnections {
  private final Vertx vertx;
  private final Path file;
  private final Consumer<StorageConnection> onReplaced;
  private volatile Map<String, StorageConnection> current;
  private Future<Void> lastWrite = Future.succeededFuture();
  /** Accounts whose connection came from the admin API (only these are written to the file). */
  private final java.util.Set<String> managed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Configured accounts removed through the admin API (kept removed across restarts). */
  private final java.util.Set<String> removed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Accounts of the configuration file (a removal of one must be remembered, even if overridden). */
  private volatile java.util.Set<String> configured;

  /**
   * @param initial the connections from the configuration (and the file, if read at start-up)
   * @param file where admin changes are kept, or {@code null} to keep them in memory only
   * @param onReplaced told of a connection that was replaced or removed (to drop its cached
   *     credentials)
   */
  public StorageConnections(Vertx vertx, Map<String, StorageConnection> initial, Path file, Consumer<StorageConnection> onReplaced) {
    this(vertx, initial, new Saved(Map.of(), java.util.Set.of()), file, onReplaced);
  }

  /**
   * @param configured the connections of the configuration file
   * @param saved what the admin API saved in an earlier run: it replaces configured connections
   *     of the same accounts and removes those it lists as removed. Configured connections are
   *     never written back: their static keys stay in the configuration only.
   */
  public StorageConnections(
      Vertx vertx, Map<String, StorageConnection> configured, Saved saved, Path file, Consumer<StorageConnection> onReplaced) {
    this.vertx = vertx;
    this.file = file;
    this.onReplaced = onReplaced;
    this.configured = java.util.Set.copyOf(configured.keySet());
    managed.addAll(saved.connections().keySet());
    removed.addAll(saved.removed());
    this.current = Map.copyOf(merge(configured, saved));
  }

  /** The content of the connections file. */
  public record Saved(Map<String, StorageConnection> connections, java.util.Set<String> removed) {
    /** No connections file, or none yet. */
    public static final Saved NONE = new Saved(Map.of(), java.util.Set.of());
  }

  /**
   * The connections in effect: the configuration's, without those the admin API removed, with
   * those it saved in their place (admin changes take precedence).
   */
  public static Map<String, StorageConnection> merge(Map<String, StorageConnection> configured, Saved saved) {
    Map<String, StorageConnection> merged = new LinkedHashMap<>(configured);
    saved.removed().forEach(merged::remove);
    merged.putAll(saved.connections());
    return merged;
  }

  public Optional<StorageConnection> get(String accountId) {
    return Optional.ofNullable(current.get(accountId));
  }

  public Map<String, StorageConnection> all() {
    return current;
  }

  /** Adds or replaces one account's connection. */
  public Future<StorageConnection> put(StorageConnection connection) {
    return change(
            map -> {
              managed.add(connection.accountId());
              removed.remove(connection.accountId());
              return map.put(connection.accountId(), connection);
            })
        .map(previous -> {
          if (previous != null) {
            onReplaced.accept(previous);
          }
          return connection;
        });
  }

  /** Removes one account's connection; false when it had none. */
  public Future<Boolean> remove(String accountId) {
    return change(
            map -> {
              StorageConnection previous = map.remove(accountId);
              if (previous != null) {
                boolean saved = managed.remove(accountId);
                if (!saved || configured.contains(accountId)) {
                  // A configured account (even one the admin API had overridden): remember its
                  // removal, or a restart or reload would bring the configured connection back.
                  removed.add(accountId);
                }
              }
              return previous;
            })
        .map(previous -> {
          if (previous != null) {
            onReplaced.accept(previous);
          }
          return previous != null;
        });
  }

  /**
   * Runs {@code work} once every earlier change is written, and holds later changes until its
   * future completes: a reload reads the connections file and {@link #replace}s the connections
   * with no admin change slipping in between (it would be lost from memory until the next reload).
   */
  public synchronized <T> Future<T> exclusively(java.util.function.Supplier<Future<T>> work) {
    Future<T> result =
        lastWrite.transform(ignored -> {
          try {
            return work.get();
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        });
    lastWrite = result.<Void>mapEmpty().otherwiseEmpty();
    return result;
  }

  /**
   * Replaces every connection at once (a live reload), merged as at start-up ({@link #merge}):
   * {@code saved} is the connections file read again. Call only inside {@link #exclusively}.
   * Connections changed or removed are passed to {@code onReplaced}; requests in flight keep the
   * connection they resolved.
   */
  public void replace(Map<String, StorageConnection> configured, Saved saved) {
    Map<String, StorageConnection> next = Map.copyOf(merge(configured, saved));
    Map<String, StorageConnection> previous = current;
    this.configured = java.util.Set.copyOf(configured.keySet());
    managed.retainAll(saved.connections().keySet());
    managed.addAll(saved.connections().keySet());
    removed.retainAll(saved.removed());
    removed.addAll(saved.removed());
    current = next;
    previous.forEach((account, connection) -> {
      if (!connection.equals(next.get(account))) {
        onReplaced.accept(connection);
      }
    });
  }

  /**
   * Applies one change after every earlier one has been written: the change is computed from the
   * latest snapshot, persisted, then published. Returns what the change replaced.
   */
  private synchronized Future<StorageConnection> change(
      java.util.function.Function<Map<String, StorageConnection>, StorageConnection> edit) {
    Future<StorageConnection> result =
        lastWrite.transform(
            ignored -> {
              Map<String, StorageConnection> next = new LinkedHashMap<>(current);
              StorageConnection previous = edit.apply(next);
              return persist(next).map(v -> {
                current = Map.copyOf(next);
                return previous;
              });
            });
    lastWrite = result.<Void>mapEmpty().otherwiseEmpty();
    return result;
  }

  private Future<Void> persist(Map<String, StorageConnection> connections) {
    if (file == null) {
      return Future.succeededFuture();
    }
    JsonObject accounts = new JsonObject();
    connections.values().stream().filter(c -> managed.contains(c.accountId())).forEach(c -> accounts.put(c.accountId(), toJson(c, false)));
    io.vertx.core.json.JsonArray gone = new io.vertx.core.json.JsonArray();
    removed.stream().sorted().forEach(gone::add);
    Buffer content = Buffer.buffer(new JsonObject().put("accounts", accounts).put("removed", gone).encodePrettily());
    String target = file.toString();
    String temporary = file.resolveSibling("." + file.getFileName() + ".tmp").toString();
    var fs = vertx.fileSystem();
    return fs.writeFile(temporary, content)
        .compose(v -> fs.move(temporary, target, new CopyOptions().setAtomicMove(true).setReplaceExisting(true)));
  }

  /**
   * The public view of a connection (admin API and the connections file). Never a secret: static
   * keys are only marked as present; they stay in the configuration.
   */
  public static JsonObject toJson(StorageConnection c, boolean forDisplay) {
    BucketAddress a = c.address();
    JsonObject json = new JsonObject().put("region", a.region()).put("bucket", a.bucket()).put("prefix", c.prefix());
    if (c.roleArn() != null) {
      json.put("roleArn", c.roleArn());
    }
    if (a.endpoint() != null) {
      json.put("endpoint", a.endpoint().toString());
    }
    if (c.deliveryMode() != null || c.allowDeliveryOverride() != null) {
      JsonObject delivery = new JsonObject();
      if (c.deliveryMode() != null) {
        delivery.put("mode", c.deliveryMode().wireName());
      }
      if (c.allowDeliveryOverride() != null) {
        delivery.put("allowOverride", c.allowDeliveryOverride());
      }
      json.put("delivery", delivery);
    }
    if (forDisplay) {
      json.put("credentials", a.role() != null ? "role" : a.credentials() != null ? "static (development only)" : "default chain");
    }
    return json;
  }

  /**
   * Every problem of a connection's JSON form ({@code region}, {@code bucket}, {@code prefix},
   * {@code roleArn}, {@code endpoint}, {@code delivery}), as {@code field: value (expected: ...)}.
   */
  public static java.util.List<String> validate(JsonObject body) {
    java.util.List<String> problems = new java.util.ArrayList<>();
    // Storage Connect buckets are in us-east-1 unless said otherwise.
    String region = body.getValue("region") == null ? "us-east-1" : body.getValue("region") instanceof String r ? r : null;
    ConnectionRules.region(region).ifPresent(p -> problems.add("region: " + p));
    String bucket = body.getValue("bucket") instanceof String b ? b : null;
    ConnectionRules.bucketName(bucket).ifPresent(p -> problems.add("bucket: " + p));
    String rawPrefix = body.getValue("prefix") == null ? "" : body.getValue("prefix") instanceof String p ? p : null;
    ConnectionRules.normalisedPrefix(rawPrefix).problemIfAny().ifPresent(p -> problems.add("prefix: " + p));
    // Customers never hand over keys: a connection made here is always reached through the
    // customer's role, never with the gateway's own credentials.
    Object role = body.getValue("roleArn");
    String roleArn = role instanceof String r ? r : null;
    ConnectionRules.roleArn(roleArn).ifPresent(p -> problems.add("roleArn: " + p));
    if (roleArn != null && region != null && ConnectionRules.roleArn(roleArn).isEmpty() && ConnectionRules.region(region).isEmpty()) {
      String partition = ConnectionRules.partitionOf(roleArn);
      String expected = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
      if (!partition.equals(expected)) {
        problems.add("roleArn: " + roleArn + " (expected: a role in the " + expected + " partition, like region " + region + ")");
      }
    }
    Object endpoint = body.getValue("endpoint");
    if (endpoint != null && !(endpoint instanceof String e && validEndpoint(e))) {
      problems.add("endpoint: " + ConnectionRules.shown(String.valueOf(endpoint)) + " (expected: an https URL of an S3-compatible endpoint; http only on loopback)");
    }
    Object delivery = body.getValue("delivery");
    if (delivery != null) {
      if (!(delivery instanceof JsonObject d)) {
        problems.add("delivery: " + ConnectionRules.shown(String.valueOf(delivery)) + " (expected: {mode, allowOverride})");
      } else {
        if (d.getValue("mode") != null && DeliveryMode.parse(String.valueOf(d.getValue("mode"))).isEmpty()) {
          problems.add("delivery.mode: " + ConnectionRules.shown(String.valueOf(d.getValue("mode"))) + " (expected: redirect or stream)");
        }
        if (d.getValue("allowOverride") != null && !(d.getValue("allowOverride") instanceof Boolean)) {
          problems.add("delivery.allowOverride: " + ConnectionRules.shown(String.valueOf(d.getValue("allowOverride"))) + " (expected: true or false)");
        }
      }
    }
    for (String field : body.fieldNames()) {
      if (!java.util.List.of("region", "bucket", "prefix", "roleArn", "endpoint", "delivery").contains(field)) {
        problems.add(ConnectionRules.shown(field) + ": unknown (expected: region, bucket, prefix, roleArn, endpoint, delivery)");
      }
    }
    return problems;
  }

  /** https anywhere; plain http only on loopback (S3-compatible test servers). */
  private static boolean validEndpoint(String value) {
    try {
      URI uri = new URI(value);
      if (uri.getHost() == null || uri.getRawUserInfo() != null) {
        return false;
      }
      boolean loopback = uri.getHost().equals("127.0.0.1") || uri.getHost().equals("localhost") || uri.getHost().equals("[::1]");
      return "https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback);
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Reads the connections file written by {@link #put}: every problem at once, prefixed with the
   * account, or the connections.
   */
  public static Saved parseFile(String text, java.util.List<String> problems) {
    Map<String, StorageConnection> out = new LinkedHashMap<>();
    JsonObject root;
    try {
      root = new JsonObject(text);
    } catch (RuntimeException e) {
      problems.add("admin.connectionsFile: not valid JSON (expected: {\"accounts\": {...}})");
      return new Saved(out, java.util.Set.of());
    }
    java.util.Set<String> gone = new java.util.LinkedHashSet<>();
    for (Object id : root.getJsonArray("removed", new io.vertx.core.json.JsonArray())) {
      if (id instanceof String s && ConnectionRules.accountId(s).isEmpty()) {
        gone.add(s);
      } else {
        problems.add("admin.connectionsFile: removed: " + ConnectionRules.shown(String.valueOf(id)) + " (expected: account ids)");
      }
    }
    JsonObject accounts = root.getJsonObject("accounts", new JsonObject());
    for (String accountId : accounts.fieldNames()) {
      Object entry = accounts.getValue(accountId);
      String at = "admin.connectionsFile: accounts." + ConnectionRules.shown(accountId);
      java.util.List<String> found = new java.util.ArrayList<>();
      ConnectionRules.accountId(accountId).ifPresent(p -> found.add("account: " + p));
      if (!(entry instanceof JsonObject json)) {
        found.add("not an object");
      } else {
        found.addAll(validate(json));
        if (found.isEmpty()) {
          out.put(accountId, fromJson(accountId, json));
        }
      }
      found.forEach(p -> problems.add(at + "." + p));
    }
    return new Saved(out, gone);
  }

  /** A connection from its JSON form; the caller has validated it with {@link #validate}. */
  public static StorageConnection fromJson(String accountId, JsonObject json) {
    String normalisedPrefix = ConnectionRules.normalisedPrefix(json.getString("prefix", "")).orElseThrow();
    String roleArn = json.getString("roleArn");
    String endpoint = json.getString("endpoint");
    JsonObject delivery = json.getJsonObject("delivery", new JsonObject());
    BucketAddress address =
        new BucketAddress(
            json.getString("region", "us-east-1"),
            json.getString("bucket"),
            endpoint == null ? null : URI.create(endpoint),
            null,
            roleArn == null ? null : new BucketAddress.Role(accountId, roleArn));
    return new StorageConnection(
        accountId,
        address,
        normalisedPrefix,
        roleArn,
        DeliveryMode.parse(delivery.getString("mode")).orElse(null),
        delivery.getBoolean("allowOverride"));
  }
}
