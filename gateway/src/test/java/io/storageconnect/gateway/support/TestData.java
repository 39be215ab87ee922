package io.storageconnect.gateway.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The objects and catalog every component test runs against: a small clip, an empty object, a
 * sparse 5 GiB object, a larger random object, and a bucket of deliberately awkward keys (spaces,
 * {@code +}, {@code %}, parentheses, unicode, {@code //}, a trailing {@code /}), each holding its
 * own key as content so a test can tell that the right object was read.
 */
public final class TestData {
  public static final String ACCOUNT = "acme";
  public static final String OTHER_ACCOUNT = "globex";
  public static final String CUSTOMER_BUCKET = "acme-originals";
  public static final String OTHER_BUCKET = "globex-media";
  public static final String MANAGED_BUCKET = "platform-managed";
  public static final String PREFIX = "storage-connect/acme/";

  public static final byte[] CLIP = sequence(100);
  public static final byte[] RENDITION = "rendition-360p-bytes".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] THUMBNAIL = "thumbnail-jpeg-bytes".getBytes(StandardCharsets.US_ASCII);
  public static final int LARGE_SIZE = 24 * 1024 * 1024 + 17;
  public static final byte[] LARGE = random(LARGE_SIZE, 42);
  /** A sparse object far larger than every buffer between S3 and a stalled client. */
  public static final long HUGE_SIZE = 512L * 1024 * 1024;
  public static final long BIG_SIZE = 5L * 1024 * 1024 * 1024;
  public static final long BIG_MARKER_AT = 4L * 1024 * 1024 * 1024 + 512L * 1024 * 1024;
  public static final byte[] BIG_MARKER = "4.5GiB-marker".getBytes(StandardCharsets.US_ASCII);

  /** Awkward asset id to its key relative to the prefix. */
  public static final Map<String, String> AWKWARD = new LinkedHashMap<>();

  static {
    AWKWARD.put("awk-space", "originals/space and+plus.mp4");
    AWKWARD.put("awk-percent", "originals/100% real (v2).mp4");
    AWKWARD.put("awk-unicode", "originals/Ünïcødé 東京.mp4");
    AWKWARD.put("awk-double-slash", "originals/a//b//c.bin");
    AWKWARD.put("awk-symbols", "originals/x=y@z&w;q'~!$,*.bin");
    AWKWARD.put("awk-encoded", "originals/already%20encoded%2Fname.bin");
  }

  /**
   * A key ending in {@code /}. S3 stores content under it; S3Proxy's filesystem store keeps such
   * a key as a directory marker and answers it empty, so tests check it on the wire instead.
   */
  public static final String TRAILING_SLASH_KEY = "originals/folder/";

  /** A file name built to break header syntax if it were not encoded. */
  public static final String HOSTILE_FILE_NAME = "quote\"back\\slash;semi\r\nSet-Cookie: x=1 Ünï 東京.mp4";

  private TestData() {}

  public static void seed(S3Server s3) throws Exception {
    s3.createBucket(CUSTOMER_BUCKET);
    s3.createBucket(OTHER_BUCKET);
    s3.createBucket(MANAGED_BUCKET);
    // Stored as binary/octet-stream, as many upload tools do: the gateway must still answer video/mp4.
    s3.put(CUSTOMER_BUCKET, PREFIX + "originals/clip.mp4", CLIP, "binary/octet-stream");
    s3.put(CUSTOMER_BUCKET, PREFIX + "originals/empty.bin", new byte[0], "application/octet-stream");
    s3.put(CUSTOMER_BUCKET, PREFIX + "originals/large.mov", LARGE, "video/quicktime");
    s3.putSparse(CUSTOMER_BUCKET, PREFIX + "originals/big.mov", BIG_SIZE, BIG_MARKER_AT, BIG_MARKER);
    s3.putSparse(CUSTOMER_BUCKET, PREFIX + "originals/huge.mov", HUGE_SIZE, 0, BIG_MARKER);
    s3.put(CUSTOMER_BUCKET, PREFIX + TRAILING_SLASH_KEY, new byte[0], "application/octet-stream");
    for (String key : AWKWARD.values()) {
      s3.put(CUSTOMER_BUCKET, PREFIX + key, key.getBytes(StandardCharsets.UTF_8), "application/octet-stream");
    }
    s3.put(OTHER_BUCKET, "globex/clip.mp4", "globex-clip".getBytes(StandardCharsets.US_ASCII), "video/mp4");
    s3.put(MANAGED_BUCKET, "renditions/clip/h264_360p.mp4", RENDITION, "video/mp4");
    s3.put(MANAGED_BUCKET, "thumbnails/clip.jpg", THUMBNAIL, "image/jpeg");
  }

  /** The catalog document for {@link #seed}. */
  public static String catalogYaml() {
    List<String> lines = new ArrayList<>();
    lines.add("assets:");
    lines.add("  - id: clip");
    lines.add("    account: acme");
    lines.add("    key: originals/clip.mp4");
    lines.add("    fileName: Clip final.mp4");
    lines.add("    renditions: { h264_360p: renditions/clip/h264_360p.mp4 }");
    lines.add("    thumbnail: thumbnails/clip.jpg");
    // A large original with a managed proxy: what fallback tests play.
    lines.add("  - id: film");
    lines.add("    account: acme");
    lines.add("    key: originals/large.mov");
    lines.add("    fileName: film.mov");
    lines.add("    renditions: { h264_360p: renditions/clip/h264_360p.mp4 }");
    asset(lines, "empty", ACCOUNT, "originals/empty.bin", "empty.bin");
    asset(lines, "large", ACCOUNT, "originals/large.mov", "large.mov");
    asset(lines, "big", ACCOUNT, "originals/big.mov", "big.mov");
    asset(lines, "huge", ACCOUNT, "originals/huge.mov", "huge.mov");
    asset(lines, "ghost", ACCOUNT, "originals/does-not-exist.mp4", "ghost.mp4");
    asset(lines, "hostile-name", ACCOUNT, "originals/clip.mp4", HOSTILE_FILE_NAME);
    asset(lines, "globex-clip", OTHER_ACCOUNT, "clip.mp4", "globex.mp4");
    AWKWARD.forEach((id, key) -> asset(lines, id, ACCOUNT, key, null));
    asset(lines, "awk-trailing-slash", ACCOUNT, TRAILING_SLASH_KEY, "folder.bin");
    return String.join("\n", lines) + "\n";
  }

  private static void asset(List<String> lines, String id, String account, String key, String fileName) {
    lines.add("  - id: " + id);
    lines.add("    account: " + account);
    lines.add("    key: " + quote(key));
    if (fileName != null) {
      lines.add("    fileName: " + quote(fileName));
    }
  }

  /** A YAML double-quoted scalar. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }

  public static byte[] sequence(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  public static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
