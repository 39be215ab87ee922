package io.storageconnect.gateway.catalog;

import java.util.Locale;
import java.util.Optional;

/** How downloads of originals are delivered: a presigned redirect, or bytes streamed by the gateway. */
public enum DeliveryMode {
  REDIRECT,
  STREAM;

  private final String wireName = name().toLowerCase(Locale.ROOT);
  private static final DeliveryMode[] ALL = values();

  public String wireName() {
    return wireName;
  }

  public static Optional<DeliveryMode> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (DeliveryMode m : ALL) { // on every request: no values() copy
      if (m.wireName().equals(value)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
