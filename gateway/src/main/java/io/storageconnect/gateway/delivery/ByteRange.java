package io.storageconnect.gateway.delivery;

/**
 * One satisfiable byte range with inclusive 64-bit offsets (RFC 9110 §14.1.2); an immutable value,
 * pure and thread-safe, that never blocks.
 *
 * <p>{@code last} is capped at {@code Long.MAX_VALUE - 1} so that {@link #length()} always fits in
 * a {@code long}; real representations are far smaller.
 */
public record ByteRange(long first, long last) {

  public ByteRange {
    if (first < 0) {
      throw new IllegalArgumentException("first: " + first + " (expected: >= 0)");
    }
    if (last < first) {
      throw new IllegalArgumentException("last: " + last + " (expected: >= first (" + first + "))");
    }
    if (last == Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "last: " + last + " (expected: < " + Long.MAX_VALUE + ", so that length() fits)");
    }
  }

  /** Number of bytes in the range, at least 1. */
  public long length() {
    return last - first + 1;
  }

  /**
   * The {@code Content-Range} value for a 206 or a multipart part (RFC 9110 §14.4), e.g. {@code
   * bytes 0-99/100}.
   *
   * @param completeLength the representation's size; must be greater than {@link #last()}
   */
  public String contentRange(long completeLength) {
    if (completeLength <= last) {
      throw new IllegalArgumentException(
          "completeLength: " + completeLength + " (expected: > last (" + last + "))");
    }
    return "bytes " + first + '-' + last + '/' + completeLength;
  }

  /**
   * The {@code Range} value sent upstream for exactly this range (RFC 9110 §14.2), e.g. {@code
   * bytes=0-99}.
   */
  public String rangeHeader() {
    return "bytes=" + first + '-' + last;
  }
}
