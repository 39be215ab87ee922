package io.storageconnect.gateway.delivery;

import java.util.List;

/**
 * What a GET should send for a {@code Range} header (RFC 9110 §14.2): the whole representation, a
 * few coalesced byte ranges, or nothing (416); an immutable value whose parsing is pure,
 * thread-safe and never blocks.
 */
public sealed interface RangeSelection {

  /**
   * Decides which bytes of a representation of {@code size} bytes to send for a {@code Range}
   * header value, by the rules of RFC 9110 §14.1–14.2 and the denial-of-service advice of §14.6.
   *
   * <p>An absent, unknown-unit or syntactically invalid header selects {@link Whole}; ranges that
   * start beyond the end are dropped, and if none is left the result is {@link Unsatisfiable}.
   * Satisfiable ranges are clamped, sorted and coalesced; too many of them, or several that
   * together cost about as much as the whole representation, select {@link Whole} again.
   *
   * @param rangeHeader the {@code Range} field value, or null when absent
   * @param size the selected representation's length in bytes, {@code >= 0}
   * @param maxRanges how many ranges (after coalescing) a multipart answer may carry, {@code >= 1}
   */
  static RangeSelection of(String rangeHeader, long size, int maxRanges) {
    return RangeHeaderParser.select(rangeHeader, size, maxRanges);
  }

  /** Send the whole representation with 200: no usable {@code Range} header. */
  record Whole() implements RangeSelection {}

  /**
   * Send these ranges with 206: a single part when there is one range, {@code multipart/byteranges}
   * otherwise (RFC 9110 §14.6).
   *
   * @param ranges an immutable list of one or more ranges, ascending and non-overlapping
   */
  record Partial(List<ByteRange> ranges) implements RangeSelection {

    public Partial {
      ranges = List.copyOf(ranges);
      if (ranges.isEmpty()) {
        throw new IllegalArgumentException("ranges: [] (expected: at least one range)");
      }
      for (int i = 1; i < ranges.size(); i++) {
        ByteRange previous = ranges.get(i - 1);
        ByteRange current = ranges.get(i);
        if (current.first() <= previous.last()) {
          throw new IllegalArgumentException(
              "ranges: " + ranges + " (expected: ascending and non-overlapping)");
        }
      }
    }
  }

  /**
   * Send 416 with {@code Content-Range: bytes *}{@code /size} (RFC 9110 §15.5.17): no requested
   * range overlaps the representation.
   */
  record Unsatisfiable() implements RangeSelection {}
}
