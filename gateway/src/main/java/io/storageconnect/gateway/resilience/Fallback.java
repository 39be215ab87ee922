package io.storageconnect.gateway.resilience;

import io.storageconnect.gateway.failure.ArchivedObjectException;
import io.storageconnect.gateway.failure.OriginException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When a managed proxy may stand in for an original that cannot be read, and which one. Pure and
 * immutable; safe on any thread.
 *
 * <p>A proxy stands in for what is wrong with the original or its bucket — archived, being
 * restored, missing (404, or 403 on an object while the role only grants object actions),
 * unreachable (connect errors, timeouts, 5xx, throttling, an open breaker) or misconfigured
 * (STS rejects the role, no such bucket, wrong region) — never for a client's own mistake (a
 * 412, a 416, a bad token), which the client must see.
 */
public final class Fallback {

  /** Why the original was not served; its wire name goes in {@code X-Delivery-Fallback}. */
  public enum Reason {
    ARCHIVED("archived"),
    RESTORING("restoring"),
    MISSING("missing"),
    UNREACHABLE("unreachable"),
    MISCONFIGURED("misconfigured");

    private final String wireName;

    Reason(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  private final List<String> preference;

  /** @param preference rendition names, best first; others follow in name order */
  public Fallback(List<String> preference) {
    this.preference = List.copyOf(preference);
  }

  /** The reason a failure to read an original allows a proxy in its place, if it does. */
  public static Optional<Reason> reason(Throwable failure) {
    if (failure instanceof ArchivedObjectException archived) {
      return Optional.of(archived.restoring() ? Reason.RESTORING : Reason.ARCHIVED);
    }
    if (failure instanceof OriginException oe) {
      return switch (oe.kind()) {
        case OBJECT_UNAVAILABLE -> Optional.of(Reason.MISSING);
        case ARCHIVED -> Optional.of(Reason.ARCHIVED);
        case UNAVAILABLE, TIMEOUT, THROTTLED, CIRCUIT_OPEN -> Optional.of(Reason.UNREACHABLE);
        case MISCONFIGURED -> Optional.of(Reason.MISCONFIGURED);
        case CHANGED -> Optional.empty();
      };
    }
    return Optional.empty();
  }

  /** The best rendition to play instead of the original: by preference, then by name. */
  public Optional<String> proxy(Map<String, String> renditions) {
    for (String name : preference) {
      if (renditions.containsKey(name)) {
        return Optional.of(name);
      }
    }
    return renditions.keySet().stream().sorted().findFirst();
  }
}
