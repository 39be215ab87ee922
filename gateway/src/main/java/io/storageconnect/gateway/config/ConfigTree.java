package io.storageconnect.gateway.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration document as a tree of maps, lists and scalars: defaults, then the YAML file
 * over them, then environment variables over every leaf. Pure; not thread-safe (used once at
 * start-up).
 *
 * <p>Every key has an environment variable: {@code GATEWAY_} followed by the path's segments in
 * upper case joined by {@code _}, with any other character also {@code _}. {@code server.port} is
 * {@code GATEWAY_SERVER_PORT}; {@code accounts.acme-films.bucket} is
 * {@code GATEWAY_ACCOUNTS_ACME_FILMS_BUCKET}; list items are numbered,
 * {@code GATEWAY_AUTH_KEYS_0_PATH}; a list of strings takes a comma-separated value.
 */
final class ConfigTree {
  static final String ENV_PREFIX = "GATEWAY_";

  private ConfigTree() {}

  /** {@code over} merged onto {@code base}: maps merge key by key, anything else replaces. */
  @SuppressWarnings("unchecked")
  static Object merge(Object base, Object over) {
    if (over == null) {
      return copy(base);
    }
    if (base instanceof Map<?, ?> b && over instanceof Map<?, ?> o) {
      Map<String, Object> out = (Map<String, Object>) copy(b);
      o.forEach((k, v) -> out.put(String.valueOf(k), merge(out.get(String.valueOf(k)), v)));
      return out;
    }
    return copy(over);
  }

  static Object copy(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(copy(v)));
      return out;
    }
    return node;
  }

  /** Replaces every leaf that has an environment variable with that variable's value. */
  @SuppressWarnings("unchecked")
  static Object overlayEnvironment(Object node, String path, Map<String, String> env) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> map = (Map<String, Object>) m;
      for (Map.Entry<String, Object> e : map.entrySet()) {
        e.setValue(overlayEnvironment(e.getValue(), join(path, e.getKey()), env));
      }
      return map;
    }
    String value = env.get(envName(path));
    if (node instanceof List<?> l && !l.isEmpty() && (l.get(0) instanceof Map<?, ?> || l.get(0) instanceof List<?>)) {
      List<Object> list = (List<Object>) l;
      for (int i = 0; i < list.size(); i++) {
        list.set(i, overlayEnvironment(list.get(i), path + "." + i, env));
      }
      return list;
    }
    if (value == null) {
      return node;
    }
    if (node instanceof List<?>) {
      List<Object> items = new ArrayList<>();
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          items.add(part.trim());
        }
      }
      return items;
    }
    return value;
  }

  static String envName(String path) {
    return ENV_PREFIX + path.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
