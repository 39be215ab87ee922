package io.storageconnect.gateway.resilience;

import io.storageconnect.gateway.delivery.HttpDates;
import io.storageconnect.gateway.origin.ObjectMeta;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether S3 would serve an object's bytes now, classified from its HEAD metadata alone; pure,
 * thread-safe, and never blocks, so any thread (an event loop included) may call it.
 *
 * <p>Archived objects are those S3 refuses to GET with 403 {@code InvalidObjectState} until they
 * are restored (S3 User Guide, "Working with archived objects"): the GLACIER (Flexible Retrieval)
 * and DEEP_ARCHIVE storage classes, and INTELLIGENT_TIERING objects whose {@code
 * x-amz-archive-status} names an archive tier. Everything else is readable.
 */
public sealed interface ObjectState
    permits ObjectState.Readable,
        ObjectState.Archived,
        ObjectState.Restoring,
        ObjectState.RestoredUntil {

  /** Whether a GET now would return the object's bytes rather than {@code InvalidObjectState}. */
  boolean readable();

  /**
   * An object S3 serves now and with no end date (an instant-access class or tier, or an
   * Intelligent-Tiering object restored back to Frequent Access); pure, thread-safe, never blocks.
   */
  record Readable() implements ObjectState {
    @Override
    public boolean readable() {
      return true;
    }
  }

  /**
   * An archived object with no usable restored copy (none requested, or the copy has expired);
   * pure, thread-safe, never blocks.
   *
   * @param storageClass the S3 storage class in upper case, such as GLACIER or INTELLIGENT_TIERING
   */
  record Archived(String storageClass) implements ObjectState {
    public Archived {
      Objects.requireNonNull(storageClass, "storageClass");
    }

    @Override
    public boolean readable() {
      return false;
    }
  }

  /**
   * An archived object whose restore has been requested and is still running; pure, thread-safe,
   * never blocks.
   *
   * @param storageClass the S3 storage class in upper case, such as GLACIER or INTELLIGENT_TIERING
   */
  record Restoring(String storageClass) implements ObjectState {
    public Restoring {
      Objects.requireNonNull(storageClass, "storageClass");
    }

    @Override
    public boolean readable() {
      return false;
    }
  }

  /**
   * An archived object with a restored copy that S3 serves until {@code expiry} (exclusive); pure,
   * thread-safe, never blocks.
   */
  record RestoredUntil(Instant expiry) implements ObjectState {
    public RestoredUntil {
      Objects.requireNonNull(expiry, "expiry");
    }

    @Override
    public boolean readable() {
      return true;
    }
  }

  /**
   * Classifies an object at instant {@code now}. Never throws for any header values, however
   * malformed: a restore header that cannot be read counts as no restore.
   *
   * @throws NullPointerException if {@code meta} or {@code now} is null
   */
  static ObjectState of(ObjectMeta meta, Instant now) {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(now, "now");
    String storageClass = normalized(meta.storageClass());
    if (storageClass.isEmpty()) {
      storageClass = "STANDARD"; // what S3 means when it omits x-amz-storage-class
    }
    boolean intelligentTiering = storageClass.equals("INTELLIGENT_TIERING");
    boolean archived =
        storageClass.equals("GLACIER")
            || storageClass.equals("DEEP_ARCHIVE")
            || (intelligentTiering && isArchiveTier(normalized(meta.archiveStatus())));
    if (!archived) {
      // STANDARD, STANDARD_IA, ONEZONE_IA, REDUCED_REDUNDANCY, GLACIER_IR, EXPRESS_ONEZONE,
      // INTELLIGENT_TIERING's instant tiers, OUTPOSTS, SNOW, and any class S3 adds later: S3
      // answers a GET for everything not archived, so only the archive classes above are refused.
      // A restore header on such an object changes nothing. Should a future class need a restore
      // after all, the GET's 403 InvalidObjectState reclassifies the object then.
      return new Readable();
    }
    return restoreState(storageClass, intelligentTiering, meta.restore(), now);
  }

  /**
   * Reads {@code x-amz-restore} for an archived object: {@code ongoing-request="true"} while the
   * restore runs, {@code ongoing-request="false", expiry-date="<IMF-fixdate>"} once a temporary
   * copy exists (S3 API Reference, HeadObject). Anything unreadable means archived: a wrong
   * "archived" costs a fallback to the managed proxy, a wrong "readable" a failed GET.
   */
  private static ObjectState restoreState(
      String storageClass, boolean intelligentTiering, String header, Instant now) {
    Map<String, String> attributes = restoreAttributes(header);
    if (attributes == null) {
      return new Archived(storageClass);
    }
    String ongoing = attributes.get("ongoing-request");
    if ("true".equalsIgnoreCase(ongoing)) {
      return new Restoring(storageClass);
    }
    if (!"false".equalsIgnoreCase(ongoing)) {
      return new Archived(storageClass);
    }
    String expiryDate = attributes.get("expiry-date");
    if (expiryDate == null) {
      // A finished Intelligent-Tiering restore moves the object back to the Frequent Access tier
      // for good, so it has no expiry (S3 User Guide, "Restoring an archived object"). A GLACIER
      // or DEEP_ARCHIVE restore always makes a temporary copy with one; without it, trust nothing.
      return intelligentTiering ? new Readable() : new Archived(storageClass);
    }
    // S3 sends IMF-fixdate. HttpDates reads the clock only to place an obsolete two-digit RFC 850
    // year, which S3 never sends, so the answer is still a function of the arguments.
    Optional<Instant> expiry = HttpDates.parse(expiryDate);
    if (expiry.isPresent() && now.isBefore(expiry.get())) {
      return new RestoredUntil(expiry.get());
    }
    // Expired (at the expiry instant S3 deletes the copy) or an unreadable date.
    return new Archived(storageClass);
  }

  /**
   * Splits an {@code x-amz-restore} value into attributes keyed by lower-case name, or returns null
   * when it is absent, malformed, or names an attribute twice (which value would be meant is
   * unknowable). Lenient where S3-compatible servers differ: attribute order, spaces around {@code
   * =} and {@code ,}, case of names, and unquoted values, which may contain a comma (an unquoted
   * {@code expiry-date=Fri, 21 Dec 2012 00:00:00 GMT}). Unknown attributes are kept and ignored.
   */
  private static Map<String, String> restoreAttributes(String header) {
    if (header == null) {
      return null;
    }
    Map<String, String> attributes = new HashMap<>();
    int n = header.length();
    int i = 0;
    while (true) {
      i = skip(header, i, " \t,");
      if (i == n) {
        return attributes;
      }
      int equals = scanName(header, i);
      if (equals == n || header.charAt(equals) != '=') {
        return null;
      }
      String name = header.substring(i, equals).strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        return null;
      }
      int start = skip(header, equals + 1, " \t");
      String value;
      if (start < n && header.charAt(start) == '"') {
        int close = header.indexOf('"', start + 1);
        if (close < 0) {
          return null;
        }
        value = header.substring(start + 1, close);
        i = skip(header, close + 1, " \t");
        if (i < n && header.charAt(i) != ',') {
          return null; // text after the closing quote: not name="value"
        }
      } else {
        i = unquotedEnd(header, start);
        value = header.substring(start, i);
      }
      if (attributes.putIfAbsent(name, value.strip()) != null) {
        return null;
      }
    }
  }

  /**
   * Where an unquoted value starting at {@code from} ends: at the first comma followed by another
   * attribute ({@code name =}), else at the end. Each character is looked at a bounded number of
   * times, so hostile input costs linear time.
   */
  private static int unquotedEnd(String s, int from) {
    int comma = s.indexOf(',', from);
    while (comma >= 0) {
      int nameStart = skip(s, comma + 1, " \t,");
      int equals = scanName(s, nameStart);
      if (equals < s.length()
          && s.charAt(equals) == '='
          && !s.substring(nameStart, equals).isBlank()) {
        return comma;
      }
      comma = s.indexOf(',', nameStart);
    }
    return s.length();
  }

  /**
   * The index of the first {@code ,}, {@code =} or {@code "} at or after {@code from}, or the end.
   */
  private static int scanName(String s, int from) {
    int i = from;
    while (i < s.length() && ",=\"".indexOf(s.charAt(i)) < 0) {
      i++;
    }
    return i;
  }

  private static int skip(String s, int from, String chars) {
    int i = from;
    while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return i;
  }

  /** The two values of {@code x-amz-archive-status} (S3 API Reference, HeadObject). */
  private static boolean isArchiveTier(String archiveStatus) {
    return archiveStatus.equals("ARCHIVE_ACCESS") || archiveStatus.equals("DEEP_ARCHIVE_ACCESS");
  }

  /** Upper case without surrounding whitespace; null becomes empty. */
  private static String normalized(String value) {
    return value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
  }
}
