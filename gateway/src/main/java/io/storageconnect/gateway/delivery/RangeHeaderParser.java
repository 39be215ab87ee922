package io.storageconnect.gateway.delivery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Parses a {@code Range} header and applies the selection policy behind {@link RangeSelection#of};
 * stateless, pure, thread-safe and never blocks.
 *
 * <p>The parser scans the value in place, never calls {@code Long.parseLong} (which would accept
 * signs and non-ASCII digits) and stops after {@value #MAX_RANGE_SPECS} range-specs, so a hostile
 * header costs time linear in its length and at most that many small objects.
 */
final class RangeHeaderParser {

  /** More range-specs than this in one header is treated as an attack (RFC 9110 §14.6). */
  static final int MAX_RANGE_SPECS = 100;

  /**
   * Ranges closer than this are merged: a multipart part costs about this many bytes of headers, so
   * sending the gap is cheaper than opening a new part (RFC 9110 §14.6 allows coalescing).
   */
  static final long MERGE_GAP = 80;

  /**
   * Rough framing cost of one multipart part; when the parts plus framing are at least the whole
   * representation, the whole representation is sent instead.
   */
  static final long PART_OVERHEAD = 200;

  private static final RangeSelection WHOLE = new RangeSelection.Whole();
  private static final RangeSelection UNSATISFIABLE = new RangeSelection.Unsatisfiable();
  private static final String BYTES_UNIT = "bytes";

  private RangeHeaderParser() {}

  static RangeSelection select(String header, long size, int maxRanges) {
    if (size < 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
    }
    if (maxRanges < 1) {
      throw new IllegalArgumentException("maxRanges: " + maxRanges + " (expected: >= 1)");
    }
    if (header == null) {
      return WHOLE;
    }
    // A field value carries no leading or trailing whitespace (RFC 9110 §5.5).
    int start = skipOws(header, 0, header.length());
    int end = trimOws(header, start, header.length());
    int equals = header.indexOf('=', start);
    if (equals < 0 || equals >= end) {
      return WHOLE;
    }
    // ranges-specifier = range-unit "=" range-set (§14.1.1); units compare case-insensitively
    // (§14.1), and a server ignores a unit it does not understand (§14.2).
    if (!equalsAsciiIgnoreCase(header, start, equals, BYTES_UNIT)) {
      return WHOLE;
    }

    List<ByteRange> satisfiable = new ArrayList<>();
    int specs = 0;
    boolean nonZeroSuffix = false;
    int position = equals + 1;
    while (true) {
      int comma = header.indexOf(',', position);
      int elementEnd = comma < 0 || comma > end ? end : comma;
      // 1#range-spec: OWS around commas and empty elements are allowed (§5.6.1.2).
      int from = skipOws(header, position, elementEnd);
      int to = trimOws(header, from, elementEnd);
      if (from < to) {
        if (++specs > MAX_RANGE_SPECS) {
          return WHOLE;
        }
        Spec spec = parseSpec(header, from, to);
        if (spec == null) {
          // One invalid range-spec makes the whole ranges-specifier invalid (§14.1.1), and an
          // invalid Range is ignored (§14.2).
          return WHOLE;
        }
        nonZeroSuffix |= spec.nonZeroSuffix;
        ByteRange range = spec.resolve(size);
        if (range != null) {
          satisfiable.add(range);
        }
      }
      if (elementEnd == end) {
        break;
      }
      position = elementEnd + 1;
    }
    if (specs == 0) {
      return WHOLE; // "bytes=" or "bytes=,": range-set needs at least one range-spec
    }
    if (satisfiable.isEmpty()) {
      // On an empty representation only a non-zero suffix-range is satisfiable (§14.1.3), yet
      // it selects no bytes: ignoring Range and answering 200 with an empty body is allowed.
      return size == 0 && nonZeroSuffix ? WHOLE : UNSATISFIABLE;
    }

    List<ByteRange> coalesced = coalesce(satisfiable);
    if (coalesced.size() > maxRanges) {
      return WHOLE;
    }
    if (coalesced.size() > 1) {
      long total = 0;
      for (ByteRange range : coalesced) {
        total += range.length(); // disjoint ranges inside [0, size): the sum is at most size
      }
      // Written as a subtraction so that a size near Long.MAX_VALUE cannot overflow.
      if (total >= size - PART_OVERHEAD * coalesced.size()) {
        return WHOLE;
      }
    }
    return new RangeSelection.Partial(coalesced);
  }

  /** Sorts and merges overlapping ranges and ranges separated by less than MERGE_GAP bytes. */
  private static List<ByteRange> coalesce(List<ByteRange> ranges) {
    List<ByteRange> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingLong(ByteRange::first).thenComparingLong(ByteRange::last));
    List<ByteRange> merged = new ArrayList<>(sorted.size());
    ByteRange current = sorted.get(0);
    for (int i = 1; i < sorted.size(); i++) {
      ByteRange next = sorted.get(i);
      // next.first <= current.last + 1 + MERGE_GAP, without overflowing near Long.MAX_VALUE.
      if (next.first() - current.last() <= 1 + MERGE_GAP) {
        if (next.last() > current.last()) {
          current = new ByteRange(current.first(), next.last());
        }
      } else {
        merged.add(current);
        current = next;
      }
    }
    merged.add(current);
    return merged;
  }

  /**
   * Parses one non-empty range-spec (§14.1.1) in {@code [from, to)}, or returns null when it is
   * invalid: int-range = first-pos "-" [ last-pos ], suffix-range = "-" suffix-length, and each
   * number is 1*DIGIT.
   */
  private static Spec parseSpec(String s, int from, int to) {
    if (s.charAt(from) == '-') {
      int digitsEnd = scanDigits(s, from + 1, to);
      if (digitsEnd == from + 1 || digitsEnd != to) {
        return null;
      }
      return Spec.suffix(parseSaturating(s, from + 1, to));
    }
    int firstEnd = scanDigits(s, from, to);
    if (firstEnd == from || firstEnd == to || s.charAt(firstEnd) != '-') {
      return null;
    }
    long first = parseSaturating(s, from, firstEnd);
    int lastStart = firstEnd + 1;
    int lastEnd = scanDigits(s, lastStart, to);
    if (lastEnd != to) {
      return null;
    }
    if (lastStart == lastEnd) {
      return Spec.from(first);
    }
    // "An int-range is invalid if the last-pos value is present and less than the first-pos"
    // (§14.1.1). Compared as decimal strings so that it holds for numbers beyond a long, too.
    if (compareDecimal(s, lastStart, lastEnd, from, firstEnd) < 0) {
      return null;
    }
    return Spec.between(first, parseSaturating(s, lastStart, lastEnd));
  }

  /**
   * One valid range-spec, with numbers that did not fit in a long saturated to {@code
   * Long.MAX_VALUE}: a first-pos or last-pos that large is beyond any representation, and a
   * suffix-length that large covers all of one.
   */
  private record Spec(long first, long last, long suffixLength, boolean nonZeroSuffix) {

    static final long NONE = -1;

    static Spec suffix(long length) {
      return new Spec(NONE, NONE, length, length > 0);
    }

    static Spec from(long first) {
      return new Spec(first, NONE, NONE, false);
    }

    static Spec between(long first, long last) {
      return new Spec(first, last, NONE, false);
    }

    /** The bytes this spec selects from {@code size} bytes, or null when it is unsatisfiable. */
    ByteRange resolve(long size) {
      if (suffixLength != NONE) {
        // suffix-range: the last n bytes, or all of them when n >= size; "-0" selects nothing
        // and an empty representation has no bytes to select (§14.1.3).
        if (suffixLength == 0 || size == 0) {
          return null;
        }
        return new ByteRange(Math.max(0, size - suffixLength), size - 1);
      }
      // int-range: satisfiable iff first-pos < size; last-pos is clamped to size - 1 (§14.1.3).
      if (first >= size) {
        return null;
      }
      long clampedLast = last == NONE || last >= size ? size - 1 : last;
      return new ByteRange(first, clampedLast);
    }
  }

  private static int scanDigits(String s, int from, int to) {
    int i = from;
    while (i < to && isDigit(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Parses ASCII digits in {@code [from, to)}, saturating at {@code Long.MAX_VALUE}. */
  private static long parseSaturating(String s, int from, int to) {
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = s.charAt(i) - '0';
      if (value > (Long.MAX_VALUE - digit) / 10) {
        return Long.MAX_VALUE;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  /** Compares two runs of ASCII digits as unbounded non-negative integers. */
  private static int compareDecimal(String s, int aFrom, int aTo, int bFrom, int bTo) {
    while (aFrom < aTo - 1 && s.charAt(aFrom) == '0') {
      aFrom++;
    }
    while (bFrom < bTo - 1 && s.charAt(bFrom) == '0') {
      bFrom++;
    }
    int lengths = Integer.compare(aTo - aFrom, bTo - bFrom);
    if (lengths != 0) {
      return lengths;
    }
    for (int i = 0; i < aTo - aFrom; i++) {
      int digits = Character.compare(s.charAt(aFrom + i), s.charAt(bFrom + i));
      if (digits != 0) {
        return digits;
      }
    }
    return 0;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  private static int skipOws(String s, int from, int to) {
    while (from < to && isOws(s.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimOws(String s, int from, int to) {
    while (to > from && isOws(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  /**
   * ASCII-only case-insensitive comparison; {@code String.regionMatches(true, ...)} would also
   * accept letters such as U+017F (long s) that upper-case to ASCII.
   */
  private static boolean equalsAsciiIgnoreCase(String s, int from, int to, String expected) {
    if (to - from != expected.length()) {
      return false;
    }
    for (int i = 0; i < expected.length(); i++) {
      char c = s.charAt(from + i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != expected.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
