package io.storageconnect.gateway.delivery;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates conditional request headers against an object's ETag and Last-Modified (RFC 9110 §13);
 * stateless, pure, thread-safe, and never blocks.
 *
 * <p>Header values are untrusted: malformed entity-tags and dates never throw. An element of an
 * entity-tag list that does not parse is skipped, so garbage simply matches nothing, and a date
 * that does not parse makes its header ignored. A blank header counts as absent.
 */
public final class Preconditions {

  private Preconditions() {}

  /**
   * Evaluates the preconditions of a GET or HEAD in the order of RFC 9110 §13.2.2 (steps 1–4).
   *
   * @param etag the object's ETag as a header value ({@code "abc"} or {@code W/"abc"}), or null
   *     when it has none or it is not a valid entity-tag
   * @param lastModified the object's modification time, or null when unknown
   */
  public static Precondition evaluate(
      String ifMatch,
      String ifNoneMatch,
      String ifModifiedSince,
      String ifUnmodifiedSince,
      String etag,
      Instant lastModified) {
    EntityTag current = EntityTag.parse(etag);
    Instant modified = lastModified == null ? null : lastModified.truncatedTo(ChronoUnit.SECONDS);

    // Step 1: If-Match uses the strong comparison (§13.1.1); "*" is true because the selected
    // representation exists whenever this is called.
    if (!isBlank(ifMatch)) {
      if (!isStar(ifMatch) && !anyMatches(ifMatch, current, true)) {
        return Precondition.PRECONDITION_FAILED;
      }
    } else if (!isBlank(ifUnmodifiedSince) && modified != null) {
      // Step 2: If-Unmodified-Since is ignored when If-Match is present, when the value is not a
      // valid HTTP-date, or when there is no modification date (§13.1.4).
      Optional<Instant> since = HttpDates.parse(ifUnmodifiedSince);
      if (since.isPresent() && modified.isAfter(since.get())) {
        return Precondition.PRECONDITION_FAILED;
      }
    }

    // Step 3: If-None-Match uses the weak comparison (§13.1.2); when it is false for a GET or
    // HEAD the answer is 304, and If-Modified-Since is then never looked at.
    if (!isBlank(ifNoneMatch)) {
      if (isStar(ifNoneMatch) || anyMatches(ifNoneMatch, current, false)) {
        return Precondition.NOT_MODIFIED;
      }
    } else if (!isBlank(ifModifiedSince) && modified != null) {
      // Step 4: If-Modified-Since is false, hence 304, when the representation was last modified
      // at or before the given date (§13.1.3); an invalid date or no modification date ignores it.
      Optional<Instant> since = HttpDates.parse(ifModifiedSince);
      if (since.isPresent() && !modified.isAfter(since.get())) {
        return Precondition.NOT_MODIFIED;
      }
    }
    return Precondition.PROCEED;
  }

  /**
   * Whether a Range header may be honoured given If-Range (RFC 9110 §13.1.5): true when there is no
   * If-Range; for an entity-tag, true only when it and the current ETag are both strong and equal;
   * for an HTTP-date, true only when it equals Last-Modified (to the second) exactly. Anything
   * unparsable is false, so the client receives the whole representation.
   *
   * <p>A Last-Modified date is treated as a strong validator: stored objects are replaced, never
   * modified in place, so two versions within the same second are not expected.
   */
  public static boolean rangeApplies(String ifRange, String etag, Instant lastModified) {
    if (isBlank(ifRange)) {
      return true;
    }
    String value = ifRange.strip();
    // "A valid entity-tag can be distinguished from a valid HTTP-date by examining the first
    // three characters for a DQUOTE" (§13.1.5).
    if (value.startsWith("\"") || value.startsWith("W/")) {
      EntityTag requested = EntityTag.parse(value);
      EntityTag current = EntityTag.parse(etag);
      return requested != null && current != null && requested.strongMatch(current);
    }
    if (lastModified == null) {
      return false;
    }
    Optional<Instant> date = HttpDates.parse(value);
    return date.isPresent() && date.get().equals(lastModified.truncatedTo(ChronoUnit.SECONDS));
  }

  private static boolean anyMatches(String list, EntityTag current, boolean strong) {
    if (current == null) {
      return false; // no ETag: only "*" can match, and the caller has checked for it
    }
    for (EntityTag tag : EntityTag.parseList(list)) {
      if (strong ? tag.strongMatch(current) : tag.weakMatch(current)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isStar(String value) {
    return value.strip().equals("*");
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  /**
   * entity-tag = [ weak ] opaque-tag; weak = %s"W/"; opaque-tag = DQUOTE *etagc DQUOTE; etagc =
   * %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3). {@code opaque} keeps the quotes.
   */
  private record EntityTag(boolean weak, String opaque) {

    /** Parses exactly one entity-tag (surrounding OWS allowed), or returns null. */
    static EntityTag parse(String value) {
      if (value == null) {
        return null;
      }
      int from = skipOws(value, 0);
      int end = value.length();
      while (end > from && isOws(value.charAt(end - 1))) {
        end--;
      }
      int tagEnd = scan(value, from);
      return tagEnd == end ? of(value, from, tagEnd) : null;
    }

    /**
     * Parses a #entity-tag list (§5.6.1.2: OWS around commas, empty elements allowed). An element
     * that is not an entity-tag is skipped up to the next comma; a comma inside quotes belongs to
     * the tag, as etagc allows it.
     */
    static List<EntityTag> parseList(String value) {
      List<EntityTag> tags = new ArrayList<>();
      int i = 0;
      int length = value.length();
      while (i < length) {
        i = skipOws(value, i);
        if (i >= length) {
          break;
        }
        if (value.charAt(i) == ',') {
          i++;
          continue;
        }
        int tagEnd = scan(value, i);
        if (tagEnd > 0) {
          int next = skipOws(value, tagEnd);
          if (next == length || value.charAt(next) == ',') {
            tags.add(of(value, i, tagEnd));
            i = next;
            continue;
          }
        }
        int comma = value.indexOf(',', i);
        i = comma < 0 ? length : comma + 1;
      }
      return tags;
    }

    /** Returns the index just past an entity-tag starting at {@code from}, or -1. */
    private static int scan(String s, int from) {
      int i = from;
      if (s.startsWith("W/", i)) {
        i += 2;
      }
      if (i >= s.length() || s.charAt(i) != '"') {
        return -1;
      }
      for (i++; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"') {
          return i + 1;
        }
        if (!(c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF))) {
          return -1;
        }
      }
      return -1;
    }

    private static EntityTag of(String s, int from, int to) {
      boolean weak = s.startsWith("W/", from);
      return new EntityTag(weak, s.substring(weak ? from + 2 : from, to));
    }

    /** Strong comparison (§8.8.3.2): both strong and character-for-character equal. */
    boolean strongMatch(EntityTag other) {
      return !weak && !other.weak && opaque.equals(other.opaque);
    }

    /** Weak comparison (§8.8.3.2): opaque-tags equal, either or both may be weak. */
    boolean weakMatch(EntityTag other) {
      return opaque.equals(other.opaque);
    }

    private static int skipOws(String s, int i) {
      while (i < s.length() && isOws(s.charAt(i))) {
        i++;
      }
      return i;
    }

    private static boolean isOws(char c) {
      return c == ' ' || c == '\t';
    }
  }
}
