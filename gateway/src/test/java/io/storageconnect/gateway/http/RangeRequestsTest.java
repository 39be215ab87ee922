package io.storageconnect.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.support.GatewayFixture;
import io.storageconnect.gateway.support.TestData;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9110 §14 range requests through the streaming path, on a 100-byte clip unless noted. */
class RangeRequestsTest {
  static GatewayFixture gw;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    gw = GatewayFixture.start();
    token = gw.tokens.all(TestData.ACCOUNT, "clip", "empty", "big", "large");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @ParameterizedTest(name = "{0} -> {1}-{2}")
  @CsvSource({
    "bytes=0-, 0, 99",
    "bytes=0-0, 0, 0",
    "bytes=-20, 80, 99",
    "bytes=-150, 0, 99",
    "bytes=50-1000, 50, 99",
    "bytes=99-99, 99, 99",
    "BYTES=10-19, 10, 19",
    "bytes= 10-19 , 10, 19",
  })
  void play_satisfiableRange_answers206WithExactBytesAndLength(String range, int first, int last) throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", range);

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes " + first + "-" + last + "/100");
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(last - first + 1));
    assertThat(r.headers().firstValue("Transfer-Encoding")).isEmpty();
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(TestData.CLIP, first, last + 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=100-", "bytes=100-200", "bytes=1000-", "bytes=-0", "bytes=100-,200-"})
  void play_unsatisfiableRange_answers416WithCompleteLength(String range) throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", range);

    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */100");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("range_not_satisfiable");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=9-5", "bytes=abc", "bytes=", "items=0-5", "bytes=--5", "bytes=1-2-3", "bytes=0x10-20"})
  void play_invalidRange_isIgnored(String range) throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", range);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Range")).isEmpty();
    assertThat(r.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void play_zeroByteObjectWithoutRange_answers200Empty() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/empty/play", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).hasValue("0");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void play_zeroByteObjectWithIntRange_answers416() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/empty/play", token, "Range", "bytes=0-");

    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */0");
  }

  @Test
  void play_zeroByteObjectWithSuffixRange_answers200Empty() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/empty/play", token, "Range", "bytes=-10");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void play_rangeAt4Point5GiBOf5GiB_answersRightBytes() throws Exception {
    long first = TestData.BIG_MARKER_AT;
    long last = first + TestData.BIG_MARKER.length - 1;

    HttpResponse<byte[]> r = gw.get("/v1/assets/big/play", token, "Range", "bytes=" + first + "-" + last);

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes " + first + "-" + last + "/" + TestData.BIG_SIZE);
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(TestData.BIG_MARKER.length));
    assertThat(r.body()).isEqualTo(TestData.BIG_MARKER);
  }

  @Test
  void play_suffixRangeOf5GiB_answersLastBytes() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/big/play", token, "Range", "bytes=-16");

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("Content-Range"))
        .hasValue("bytes " + (TestData.BIG_SIZE - 16) + "-" + (TestData.BIG_SIZE - 1) + "/" + TestData.BIG_SIZE);
    assertThat(r.body()).isEqualTo(new byte[16]);
  }

  @Test
  void head_5GiBObject_reportsFullLengthWithoutETag() throws Exception {
    HttpResponse<byte[]> r = gw.head("/v1/assets/big/play", token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Long.toString(TestData.BIG_SIZE));
  }

  @Test
  void head_withRange_describesWholeRepresentation() throws Exception {
    HttpResponse<byte[]> r = gw.head("/v1/assets/clip/play", token, "Range", "bytes=0-9");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).hasValue("100");
    assertThat(r.headers().firstValue("Content-Range")).isEmpty();
  }

  @Test
  void play_multipleRanges_answersMultipartByteranges() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token, "Range", "bytes=0-9,1000000-1000009,-5");

    assertThat(r.statusCode()).isEqualTo(206);
    String type = r.headers().firstValue("Content-Type").orElseThrow();
    assertThat(type).startsWith("multipart/byteranges; boundary=");
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(r.body().length));
    List<Part> parts = Part.parse(r.body(), type.substring(type.indexOf("boundary=") + 9));
    assertThat(parts).hasSize(3);
    int size = TestData.LARGE_SIZE;
    assertThat(parts.get(0).contentRange()).isEqualTo("bytes 0-9/" + size);
    assertThat(parts.get(0).body()).isEqualTo(Arrays.copyOfRange(TestData.LARGE, 0, 10));
    assertThat(parts.get(1).contentRange()).isEqualTo("bytes 1000000-1000009/" + size);
    assertThat(parts.get(1).body()).isEqualTo(Arrays.copyOfRange(TestData.LARGE, 1000000, 1000010));
    assertThat(parts.get(2).contentRange()).isEqualTo("bytes " + (size - 5) + "-" + (size - 1) + "/" + size);
    assertThat(parts.get(2).body()).isEqualTo(Arrays.copyOfRange(TestData.LARGE, size - 5, size));
    assertThat(parts).allSatisfy(p -> assertThat(p.contentType()).isEqualTo("video/quicktime"));
  }

  @Test
  void play_overlappingRanges_areCoalescedIntoOne() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token, "Range", "bytes=100-199,150-299,300-310");

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 100-310/" + TestData.LARGE_SIZE);
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(TestData.LARGE, 100, 311));
  }

  @Test
  void play_rangesWithSmallGaps_areCoalescedIntoOneSpan() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", "bytes=0-10,30-50,70-99");

    // Gaps smaller than a part's multipart overhead are cheaper to send than to frame.
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 0-99/100");
    assertThat(r.body()).isEqualTo(TestData.CLIP);
  }

  @Test
  void play_rangesCoveringMostOfLargeObject_answersWhole200() throws Exception {
    int size = TestData.LARGE_SIZE;
    HttpResponse<byte[]> r =
        gw.get("/v1/assets/large/play", token, "Range", "bytes=0-" + (size / 2) + "," + (size / 2 + 101) + "-");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TestData.LARGE);
  }

  @Test
  void play_moreRangesThanAllowed_answersWhole200() throws Exception {
    StringBuilder ranges = new StringBuilder("bytes=");
    for (int i = 0; i < 20; i++) {
      ranges.append(i > 0 ? "," : "").append(i * 1_000_000).append('-').append(i * 1_000_000 + 9);
    }
    HttpResponse<byte[]> r = gw.get("/v1/assets/large/play", token, "Range", ranges.toString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(TestData.LARGE_SIZE));
    assertThat(r.body()).hasSize(TestData.LARGE_SIZE);
  }

  @Test
  void play_rangeWithAcceptEncodingGzip_isNeverCompressed() throws Exception {
    HttpResponse<byte[]> r = gw.get("/v1/assets/clip/play", token, "Range", "bytes=0-49", "Accept-Encoding", "gzip, deflate, br");

    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(TestData.CLIP, 0, 50));
  }

  /** One part of a multipart/byteranges body. */
  record Part(String contentType, String contentRange, byte[] body) {
    static List<Part> parse(byte[] body, String boundary) {
      String text = new String(body, StandardCharsets.ISO_8859_1);
      String delimiter = "--" + boundary;
      List<Part> parts = new ArrayList<>();
      int at = text.indexOf(delimiter);
      while (at >= 0) {
        int lineEnd = text.indexOf("\r\n", at);
        if (text.startsWith("--", at + delimiter.length())) {
          break;
        }
        int headersEnd = text.indexOf("\r\n\r\n", lineEnd);
        String type = null;
        String range = null;
        for (String header : text.substring(lineEnd + 2, headersEnd).split("\r\n")) {
          String[] kv = header.split(":", 2);
          if (kv[0].equalsIgnoreCase("Content-Type")) {
            type = kv[1].trim();
          } else if (kv[0].equalsIgnoreCase("Content-Range")) {
            range = kv[1].trim();
          }
        }
        int next = text.indexOf("\r\n" + delimiter, headersEnd + 4);
        parts.add(new Part(type, range, Arrays.copyOfRange(body, headersEnd + 4, next)));
        at = next + 2;
      }
      return parts;
    }
  }
}
