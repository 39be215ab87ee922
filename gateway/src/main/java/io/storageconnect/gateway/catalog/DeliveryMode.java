package io.storageconnect.gateway.catalog;

import java.util.Locale;
import java.util.Optional;

/** How downloads of originals are delivered: a presigned redirect, or bytes streamed by the gateway. */
public enum DeliveryMode {
  REDIRECT,
  STREAM;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<DeliveryMode> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (DeliveryMode m : values()) {
      if (m.wireName().equals(value)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
