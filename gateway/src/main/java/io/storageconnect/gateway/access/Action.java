package io.storageconnect.gateway.access;

import java.util.Optional;

/** What a viewer token may allow on an asset; the claim values are the wire names. */
public enum Action {
  DOWNLOAD("download"),
  PLAY("play"),
  RENDITIONS("renditions"),
  THUMBNAIL("thumbnail");

  private final String wireName;

  Action(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<Action> parse(String value) {
    for (Action a : values()) {
      if (a.wireName.equals(value)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
