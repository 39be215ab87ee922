package io.storageconnect.loadtest;

import java.time.Duration;

/**
 * How hard and how long: {@code -Dload.profile=smoke} (the default under {@code mvn verify}: a
 * few seconds per simulation, so CI keeps the harness honest) or {@code full} (the README's load
 * test), each value overridable by its own system property.
 */
final class Load {
  private Load() {}

  static boolean full() {
    return "full".equals(System.getProperty("load.profile", "smoke"));
  }

  /** An integer property, with a default per profile. */
  static int value(String property, int smoke, int full) {
    return Integer.getInteger(property, full() ? full : smoke);
  }

  static Duration seconds(String property, int smoke, int full) {
    return Duration.ofSeconds(value(property, smoke, full));
  }
}
