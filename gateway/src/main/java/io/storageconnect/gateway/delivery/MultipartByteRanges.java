package io.storageconnect.gateway.delivery;

import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

/**
 * The framing of a {@code multipart/byteranges} body for a 206 with several ranges (RFC 9110 §14.6,
 * RFC 2046 §5.1.1): the text before each part, the closing delimiter and the exact length;
 * immutable, pure, thread-safe, and never blocks.
 *
 * <p>A body is {@code partHeader(0)}, the bytes of range 0, {@code partHeader(1)}, the bytes of
 * range 1, ..., then {@link #trailer()}. Each part header after the first begins with the CRLF that
 * RFC 2046 makes part of the boundary delimiter, so the part bodies are exactly the ranges' bytes.
 */
public final class MultipartByteRanges {

  private static final String BOUNDARY_ALPHABET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final int BOUNDARY_LENGTH = 40;

  private final List<ByteRange> ranges;
  private final long completeLength;
  private final String partContentType;
  private final String boundary;
  private final long contentLength;

  /**
   * @param ranges the ranges to send, in the order to send them (one or more)
   * @param completeLength the representation's size, greater than every range's last byte
   * @param partContentType the Content-Type each part carries, as a 200 would have sent it
   * @param boundary 1–70 characters of ALPHA, DIGIT and {@code '+_-.}, e.g. from {@link
   *     #newBoundary()}
   */
  public MultipartByteRanges(
      List<ByteRange> ranges, long completeLength, String partContentType, String boundary) {
    this.ranges = List.copyOf(ranges);
    if (this.ranges.isEmpty()) {
      throw new IllegalArgumentException("ranges: [] (expected: at least one range)");
    }
    for (ByteRange range : this.ranges) {
      if (range.last() >= completeLength) {
        throw new IllegalArgumentException(
            "ranges: " + range + " (expected: inside completeLength " + completeLength + ")");
      }
    }
    this.completeLength = completeLength;
    this.partContentType = Objects.requireNonNull(partContentType, "partContentType");
    if (partContentType.isEmpty() || !isVisibleAsciiOrSpace(partContentType)) {
      throw new IllegalArgumentException(
          "partContentType: " + partContentType + " (expected: non-empty visible ASCII)");
    }
    this.boundary = Objects.requireNonNull(boundary, "boundary");
    if (!isValidBoundary(boundary)) {
      throw new IllegalArgumentException(
          "boundary: " + boundary + " (expected: 1-70 characters of [0-9A-Za-z'+_.-])");
    }
    long length = trailer().length();
    for (int i = 0; i < this.ranges.size(); i++) {
      length = Math.addExact(length, partHeader(i).length());
      length = Math.addExact(length, this.ranges.get(i).length());
    }
    this.contentLength = length;
  }

  /**
   * A fresh boundary of 40 random alphanumerics (about 238 bits), so it cannot plausibly occur
   * inside the media bytes (RFC 2046 §5.1.1).
   *
   * <p>A new {@code SecureRandom} per call keeps the class free of shared state; the platform
   * default reads the non-blocking system source, so this never waits for entropy.
   */
  public static String newBoundary() {
    SecureRandom random = new SecureRandom();
    char[] chars = new char[BOUNDARY_LENGTH];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = BOUNDARY_ALPHABET.charAt(random.nextInt(BOUNDARY_ALPHABET.length()));
    }
    return new String(chars);
  }

  /** The response's {@code Content-Type}: {@code multipart/byteranges; boundary=<b>}. */
  public String contentType() {
    return "multipart/byteranges; boundary=" + boundary;
  }

  /**
   * The text before part {@code index}: (CRLF for every part but the first) {@code --boundary}, the
   * part's Content-Type and Content-Range, and the empty line that ends the part's headers.
   */
  public String partHeader(int index) {
    Objects.checkIndex(index, ranges.size());
    return (index == 0 ? "" : "\r\n")
        + "--"
        + boundary
        + "\r\nContent-Type: "
        + partContentType
        + "\r\nContent-Range: "
        + ranges.get(index).contentRange(completeLength)
        + "\r\n\r\n";
  }

  /** The close-delimiter after the last part: {@code CRLF --boundary-- CRLF}. */
  public String trailer() {
    return "\r\n--" + boundary + "--\r\n";
  }

  /**
   * The exact body length in bytes, for {@code Content-Length}: every part header and the trailer
   * (all US-ASCII, one byte per char) plus every range's length.
   */
  public long contentLength() {
    return contentLength;
  }

  /** The ranges, in body order. */
  public List<ByteRange> ranges() {
    return ranges;
  }

  /** The boundary string, without the leading dashes. */
  public String boundary() {
    return boundary;
  }

  /**
   * RFC 2046 allows bchars up to 70 characters; this keeps the subset that is also a token, so the
   * boundary parameter never needs quoting in Content-Type (RFC 9110 §5.6.6).
   */
  private static boolean isValidBoundary(String boundary) {
    if (boundary.isEmpty() || boundary.length() > 70) {
      return false;
    }
    for (int i = 0; i < boundary.length(); i++) {
      char c = boundary.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '\''
              || c == '+'
              || c == '_'
              || c == '-'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isVisibleAsciiOrSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7F) {
        return false;
      }
    }
    return true;
  }
}
