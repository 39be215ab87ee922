package io.storageconnect.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validating reads from a {@link ConfigTree}: each read that fails records one problem as
 * {@code key: value (expected: ...)} and returns a placeholder, so that start-up can report every
 * problem at once. Pure; used once at start-up.
 */
final class ConfigReader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
  private final List<String> problems = new ArrayList<>();

  List<String> problems() {
    return problems;
  }

  /**
   * Keys whose values are secrets: a problem never shows them, even when the value is malformed
   * (a list holding the key, say); problems are printed at start-up and logged on a reload.
   */
  private static final Pattern SECRET = Pattern.compile("(.*\\.)?(credentials(\\..*)?|originSecret|token)");
  /** Customers' bucket names are customer data: problems (logged on a reload) do not repeat them. */
  private static final Pattern CUSTOMER_DATA = Pattern.compile("accounts\\..*\\.bucket");

  void problem(String key, Object value, String expected) {
    boolean hidden = value != null && (SECRET.matcher(key).matches() || CUSTOMER_DATA.matcher(key).matches());
    problems.add(key + ": " + (hidden ? "***" : show(value)) + " (expected: " + expected + ")");
  }

  static Object at(Object tree, String path) {
    Object node = tree;
    for (String segment : path.split("\\.")) {
      if (node instanceof Map<?, ?> m) {
        node = m.get(segment);
      } else if (node instanceof List<?> l && segment.matches("\\d{1,4}") && Integer.parseInt(segment) < l.size()) {
        node = l.get(Integer.parseInt(segment));
      } else {
        return null;
      }
    }
    return node;
  }

  String string(Object tree, String key, boolean required) {
    Object v = at(tree, key);
    if (v == null || (v instanceof String s && s.isBlank())) {
      if (required) {
        problem(key, null, "a non-empty string");
      }
      return null;
    }
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      problem(key, v, "a string");
      return null;
    }
    return String.valueOf(v).trim();
  }

  String matching(Object tree, String key, boolean required, Pattern pattern, String expected) {
    String v = string(tree, key, required);
    if (v != null && !pattern.matcher(v).matches()) {
      problem(key, v, expected);
      return null;
    }
    return v;
  }

  int integer(Object tree, String key, int min, int max) {
    Object v = at(tree, key);
    try {
      long n = v instanceof Number num ? num.longValue() : Long.parseLong(String.valueOf(v).trim());
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return (int) n;
    } catch (NumberFormatException e) {
      problem(key, v, "an integer " + min + ".." + max);
      return min;
    }
  }

  long longValue(Object tree, String key, long min, long max) {
    Object v = at(tree, key);
    try {
      long n = v instanceof Number num ? num.longValue() : Long.parseLong(String.valueOf(v).trim());
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      problem(key, v, "an integer " + min + ".." + max);
      return min;
    }
  }

  boolean bool(Object tree, String key) {
    Object v = at(tree, key);
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    problem(key, v, "true or false");
    return false;
  }

  /** Durations: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h}, {@code 7d}; a bare number is seconds. */
  Duration duration(Object tree, String key, Duration min, Duration max) {
    Object v = at(tree, key);
    Matcher m = DURATION.matcher(v == null ? "" : String.valueOf(v).trim());
    String expected = "a duration " + format(min) + ".." + format(max) + " such as 500ms, 30s, 15m, 2h";
    if (!m.matches()) {
      problem(key, v, expected);
      return min;
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      problem(key, v, expected);
      return min;
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration d =
        switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofSeconds(n);
        };
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(key, v, expected);
      return min;
    }
    return d;
  }

  List<String> strings(Object tree, String key, boolean required) {
    Object v = at(tree, key);
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o == null || o instanceof Map<?, ?> || o instanceof List<?>) {
          problem(key, v, "a list of strings");
          return out;
        }
        out.add(String.valueOf(o).trim());
      }
    } else if (v instanceof String s && !s.isBlank()) {
      for (String part : s.split(",")) {
        out.add(part.trim());
      }
    } else if (v != null) {
      problem(key, v, "a list of strings");
    }
    if (required && out.isEmpty()) {
      problem(key, v, "a non-empty list of strings");
    }
    return out;
  }

  URI endpoint(Object tree, String key) {
    String v = string(tree, key, false);
    if (v == null) {
      return null;
    }
    try {
      URI uri = new URI(v);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (Exception e) {
      problem(key, v, "an http(s) URL such as https://s3.example.com:9000");
      return null;
    }
  }

  private static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 86400 == 0) {
      return s / 86400 + "d";
    }
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  private static String show(Object value) {
    if (value == null) {
      return "missing";
    }
    // A mapping or list where a value belongs is described, never printed: it may hold keys.
    if (value instanceof java.util.Map<?, ?>) {
      return "a mapping";
    }
    if (value instanceof java.util.Collection<?> c) {
      return "a list of " + c.size();
    }
    String s = String.valueOf(value);
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
