package io.storageconnect.gateway.catalog;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The embedded catalog: assets read from one YAML (or JSON) document and held in memory. Parsing
 * reports every problem at once. Lookups complete immediately; thread-safe.
 *
 * <pre>
 * assets:
 *   - id: demo-video
 *     account: acme
 *     key: "originals/Big Buck.mp4"        # relative to the account's prefix, byte for byte
 *     fileName: "Big Buck.mp4"
 *     contentType: video/mp4               # optional
 *     renditions: { h264_540p: "renditions/demo-video/540p.mp4" }
 *     thumbnail: "thumbnails/demo-video.jpg"
 * </pre>
 */
public final class FileCatalog implements AssetCatalog {
  /** Asset ids as they appear in URLs. */
  public static final Pattern ASSET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  /** Rendition names as they appear in URLs. */
  public static final Pattern RENDITION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Map<String, Asset> assets;

  public FileCatalog(Map<String, Asset> assets) {
    this.assets = Map.copyOf(assets);
  }

  @Override
  public Future<Optional<Asset>> find(String assetId) {
    return Future.succeededFuture(Optional.ofNullable(assets.get(assetId)));
  }

  public int size() {
    return assets.size();
  }

  /** Every asset by id (immutable): what a reload compares. */
  public Map<String, Asset> assets() {
    return assets;
  }

  /** Thrown with every problem found in a catalog document. */
  public static final class InvalidCatalogException extends Exception {
    private final List<String> problems;

    InvalidCatalogException(List<String> problems) {
      super("invalid catalog: " + String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /** Parses a catalog document; {@code knownAccounts} are the accounts with a storage connection. */
  public static FileCatalog parse(String text, java.util.Set<String> knownAccounts) throws InvalidCatalogException {
    List<String> problems = new ArrayList<>();
    Object root;
    try {
      root = new Load(LoadSettings.builder().setMaxAliasesForCollections(10).build()).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new InvalidCatalogException(List.of("catalog: not valid YAML (" + io.storageconnect.gateway.config.YamlProblems.describe(e) + ")"));
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("assets") instanceof List<?> list)) {
      throw new InvalidCatalogException(List.of("assets: missing (expected: a list of assets)"));
    }
    Map<String, Asset> assets = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "assets[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> entry)) {
        problems.add(at + ": not a mapping (expected: id, account, key, fileName, ...)");
        continue;
      }
      String id = string(entry, "id", at, problems, true);
      String account = string(entry, "account", at, problems, true);
      String key = string(entry, "key", at, problems, true);
      String fileName = string(entry, "fileName", at, problems, false);
      String contentType = string(entry, "contentType", at, problems, false);
      String thumbnail = string(entry, "thumbnail", at, problems, false);
      if (id != null && !ASSET_ID.matcher(id).matches()) {
        problems.add(at + ".id: " + id + " (expected: 1-128 of [A-Za-z0-9._-], starting alphanumeric)");
      }
      if (id != null && assets.containsKey(id)) {
        problems.add(at + ".id: " + id + " (expected: unique, already used)");
      }
      if (account != null && !knownAccounts.contains(account)) {
        problems.add(at + ".account: " + account + " (expected: an account with a storage connection)");
      }
      if (key != null && key.isEmpty()) {
        problems.add(at + ".key: empty (expected: the object key relative to the account's prefix)");
      }
      Map<String, String> renditions = new HashMap<>();
      Object r = entry.get("renditions");
      if (r instanceof Map<?, ?> rm) {
        rm.forEach(
            (name, value) -> {
              if (!(name instanceof String n) || !RENDITION_NAME.matcher(n).matches()) {
                problems.add(at + ".renditions: name " + name + " (expected: 1-64 of [A-Za-z0-9._-])");
              } else if (!(value instanceof String v) || v.isEmpty()) {
                problems.add(at + ".renditions." + n + ": " + value + " (expected: a managed-bucket key)");
              } else {
                renditions.put(n, v);
              }
            });
      } else if (r != null) {
        problems.add(at + ".renditions: " + r + " (expected: a mapping of name to managed key)");
      }
      if (id != null && account != null && key != null) {
        String name = fileName != null ? fileName : lastSegment(key);
        assets.put(id, new Asset(id, account, key, name, contentType, renditions, thumbnail));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidCatalogException(problems);
    }
    return new FileCatalog(assets);
  }

  private static String string(Map<?, ?> entry, String field, String at, List<String> problems, boolean required) {
    Object v = entry.get(field);
    if (v == null) {
      if (required) {
        problems.add(at + "." + field + ": missing (expected: a string)");
      }
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    problems.add(at + "." + field + ": " + v + " (expected: a string)");
    return null;
  }

  private static String lastSegment(String key) {
    String trimmed = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    int slash = trimmed.lastIndexOf('/');
    String name = slash < 0 ? trimmed : trimmed.substring(slash + 1);
    return name.isEmpty() ? "download" : name;
  }

}
