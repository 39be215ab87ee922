package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartByteRangesTest {

  private static final String BOUNDARY = "THIS_STRING_SEPARATES";

  private static MultipartByteRanges framing(List<ByteRange> ranges, long length) {
    return new MultipartByteRanges(ranges, length, "video/mp4", BOUNDARY);
  }

  // --- boundary ---

  @Test
  void newBoundary_generated_atLeast32Alphanumerics() {
    String boundary = MultipartByteRanges.newBoundary();
    assertThat(boundary).hasSizeGreaterThanOrEqualTo(32).matches("[0-9a-zA-Z]+");
  }

  @Test
  void newBoundary_manyCalls_allDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seen.add(MultipartByteRanges.newBoundary());
    }
    assertThat(seen).hasSize(1000);
  }

  @Test
  void newBoundary_accepted_byConstructor() {
    String boundary = MultipartByteRanges.newBoundary();
    MultipartByteRanges framing =
        new MultipartByteRanges(List.of(new ByteRange(0, 0)), 1, "video/mp4", boundary);
    assertThat(framing.boundary()).isEqualTo(boundary);
  }

  // --- exact framing (RFC 9110 §14.6 example, RFC 2046 §5.1.1) ---

  @Test
  void contentType_boundary_multipartByteranges() {
    assertThat(framing(List.of(new ByteRange(0, 9)), 100).contentType())
        .isEqualTo("multipart/byteranges; boundary=THIS_STRING_SEPARATES");
  }

  @Test
  void partHeader_firstPart_noLeadingCrlf() {
    MultipartByteRanges framing =
        framing(List.of(new ByteRange(500, 999), new ByteRange(7000, 7999)), 8000);

    assertThat(framing.partHeader(0))
        .isEqualTo(
            "--THIS_STRING_SEPARATES\r\n"
                + "Content-Type: video/mp4\r\n"
                + "Content-Range: bytes 500-999/8000\r\n"
                + "\r\n");
  }

  @Test
  void partHeader_laterPart_crlfBelongsToDelimiter() {
    MultipartByteRanges framing =
        framing(List.of(new ByteRange(500, 999), new ByteRange(7000, 7999)), 8000);

    assertThat(framing.partHeader(1))
        .isEqualTo(
            "\r\n--THIS_STRING_SEPARATES\r\n"
                + "Content-Type: video/mp4\r\n"
                + "Content-Range: bytes 7000-7999/8000\r\n"
                + "\r\n");
  }

  @Test
  void trailer_always_closeDelimiter() {
    assertThat(framing(List.of(new ByteRange(0, 9)), 100).trailer())
        .isEqualTo("\r\n--THIS_STRING_SEPARATES--\r\n");
  }

  @Test
  void partHeader_indexOutOfRange_throws() {
    MultipartByteRanges framing = framing(List.of(new ByteRange(0, 9)), 100);
    assertThatThrownBy(() -> framing.partHeader(1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> framing.partHeader(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void contentLength_twoParts_sumOfHeadersBytesAndTrailer() {
    MultipartByteRanges framing =
        framing(List.of(new ByteRange(500, 999), new ByteRange(7000, 7999)), 8000);

    long expected =
        framing.partHeader(0).length()
            + 500
            + framing.partHeader(1).length()
            + 1000
            + framing.trailer().length();
    assertThat(framing.contentLength()).isEqualTo(expected).isEqualTo(1707);
  }

  @Test
  void contentLength_rangesBeyondFourGib_exact() {
    long size = 5L * 1024 * 1024 * 1024;
    MultipartByteRanges framing =
        framing(List.of(new ByteRange(0, 99), new ByteRange(4_831_838_208L, size - 1)), size);

    assertThat(framing.contentLength())
        .isEqualTo(
            framing.partHeader(0).length()
                + 100L
                + framing.partHeader(1).length()
                + 536_870_912L
                + framing.trailer().length());
  }

  // --- assembling a body and parsing it back ---

  @Test
  void assembledBody_threeParts_parsesBackToSourceBytes() {
    byte[] source = randomBytes(1000, 42);
    List<ByteRange> ranges =
        List.of(new ByteRange(0, 9), new ByteRange(100, 199), new ByteRange(990, 999));
    MultipartByteRanges framing = framing(ranges, source.length);

    byte[] body = assemble(framing, source);

    assertThat((long) body.length).isEqualTo(framing.contentLength());
    List<Part> parts = parse(body, BOUNDARY);
    assertThat(parts).hasSize(3);
    for (int i = 0; i < ranges.size(); i++) {
      ByteRange range = ranges.get(i);
      assertThat(parts.get(i).contentType()).isEqualTo("video/mp4");
      assertThat(parts.get(i).contentRange()).isEqualTo(range.contentRange(source.length));
      assertThat(parts.get(i).body())
          .isEqualTo(Arrays.copyOfRange(source, (int) range.first(), (int) range.last() + 1));
    }
  }

  @Test
  void assembledBody_partBytesContainCrlfAndDashes_stillParsesBack() {
    byte[] source = "--THIS_STRING\r\n\r\n--x--\r\nplain".getBytes(StandardCharsets.US_ASCII);
    List<ByteRange> ranges = List.of(new ByteRange(0, 14), new ByteRange(17, 25));
    MultipartByteRanges framing = framing(ranges, source.length);

    byte[] body = assemble(framing, source);

    List<Part> parts = parse(body, BOUNDARY);
    assertThat(parts)
        .extracting(part -> new String(part.body(), StandardCharsets.US_ASCII))
        .containsExactly("--THIS_STRING\r\n", "--x--\r\npl");
    assertThat((long) body.length).isEqualTo(framing.contentLength());
  }

  @Property(tries = 300)
  void assembledBody_randomRanges_parsesBackAndLengthMatches(
      @ForAll @IntRange(min = 1, max = 5000) int size,
      @ForAll @IntRange(min = 1, max = 8) int count,
      @ForAll long seed) {
    Random random = new Random(seed);
    byte[] source = randomBytes(size, seed);
    List<ByteRange> ranges = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int first = random.nextInt(size);
      int last = first + random.nextInt(size - first);
      ranges.add(new ByteRange(first, last));
    }
    String boundary = MultipartByteRanges.newBoundary();
    MultipartByteRanges framing = new MultipartByteRanges(ranges, size, "image/png", boundary);

    byte[] body = assemble(framing, source);

    assertThat((long) body.length).isEqualTo(framing.contentLength());
    List<Part> parts = parse(body, boundary);
    assertThat(parts).hasSize(count);
    for (int i = 0; i < count; i++) {
      ByteRange range = ranges.get(i);
      assertThat(parts.get(i).contentRange()).isEqualTo(range.contentRange(size));
      assertThat(parts.get(i).body())
          .isEqualTo(Arrays.copyOfRange(source, (int) range.first(), (int) range.last() + 1));
    }
  }

  // --- validation ---

  @Test
  void constructor_noRanges_throws() {
    assertThatThrownBy(() -> framing(List.of(), 100)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_rangeBeyondCompleteLength_throws() {
    assertThatThrownBy(() -> framing(List.of(new ByteRange(0, 100)), 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "video/mp4\r\nX-Injected: 1", "video/mp4\n", "vid\u00e9o/mp4"})
  void constructor_unsafePartContentType_throws(String type) {
    assertThatThrownBy(
            () -> new MultipartByteRanges(List.of(new ByteRange(0, 9)), 100, type, BOUNDARY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "quote\"", "semi;colon", "crlf\r\n", "é"})
  void constructor_invalidBoundary_throws(String boundary) {
    assertThatThrownBy(
            () -> new MultipartByteRanges(List.of(new ByteRange(0, 9)), 100, "video/mp4", boundary))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_boundaryOf70_acceptedAnd71_rejected() {
    List<ByteRange> ranges = List.of(new ByteRange(0, 9));
    assertThat(new MultipartByteRanges(ranges, 100, "video/mp4", "b".repeat(70)).boundary())
        .hasSize(70);
    assertThatThrownBy(() -> new MultipartByteRanges(ranges, 100, "video/mp4", "b".repeat(71)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ranges_mutableInput_copied() {
    List<ByteRange> input = new ArrayList<>(List.of(new ByteRange(0, 9)));
    MultipartByteRanges framing = framing(input, 100);
    input.add(new ByteRange(20, 29));

    assertThat(framing.ranges()).containsExactly(new ByteRange(0, 9));
    assertThat(framing.contentLength())
        .isEqualTo(framing.partHeader(0).length() + 10 + framing.trailer().length());
  }

  // --- helpers: what the streamer does, and what a client does ---

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] assemble(MultipartByteRanges framing, byte[] source) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<ByteRange> ranges = framing.ranges();
    for (int i = 0; i < ranges.size(); i++) {
      out.writeBytes(framing.partHeader(i).getBytes(StandardCharsets.US_ASCII));
      ByteRange range = ranges.get(i);
      out.write(source, (int) range.first(), (int) range.length());
    }
    out.writeBytes(framing.trailer().getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  record Part(String contentType, String contentRange, byte[] body) {}

  /**
   * A strict RFC 2046 §5.1.1 parser: the body must start with the dash-boundary, every later
   * delimiter is CRLF "--" boundary, and the close-delimiter "--" is followed by CRLF and nothing
   * else (this body has no preamble or epilogue). Part bodies are located by the Content-Range
   * length and then checked to be followed by a delimiter, so bytes inside a part that look like
   * framing cannot confuse it.
   */
  private static List<Part> parse(byte[] body, String boundary) {
    String text = new String(body, StandardCharsets.ISO_8859_1); // one char per byte
    String dashBoundary = "--" + boundary;
    String delimiter = "\r\n" + dashBoundary;
    assertThat(text).startsWith(dashBoundary + "\r\n");
    List<Part> parts = new ArrayList<>();
    int position = dashBoundary.length() + 2;
    while (true) {
      int headersEnd = text.indexOf("\r\n\r\n", position);
      assertThat(headersEnd).isPositive();
      String contentType = null;
      String contentRange = null;
      for (String line : text.substring(position, headersEnd).split("\r\n")) {
        int colon = line.indexOf(':');
        String name = line.substring(0, colon);
        String value = line.substring(colon + 1).strip();
        if (name.equalsIgnoreCase("Content-Type")) {
          contentType = value;
        } else if (name.equalsIgnoreCase("Content-Range")) {
          contentRange = value;
        }
      }
      assertThat(contentRange).startsWith("bytes ");
      String[] span = contentRange.substring("bytes ".length()).split("[-/]");
      int length = (int) (Long.parseLong(span[1]) - Long.parseLong(span[0]) + 1);
      int bodyStart = headersEnd + 4;
      int bodyEnd = bodyStart + length;
      assertThat(text.startsWith(delimiter, bodyEnd)).as("delimiter after part").isTrue();
      parts.add(new Part(contentType, contentRange, Arrays.copyOfRange(body, bodyStart, bodyEnd)));
      position = bodyEnd + delimiter.length();
      if (text.startsWith("--\r\n", position)) {
        assertThat(position + 4).as("nothing after the close-delimiter").isEqualTo(text.length());
        return parts;
      }
      assertThat(text.startsWith("\r\n", position)).as("CRLF after delimiter").isTrue();
      position += 2;
    }
  }
}
