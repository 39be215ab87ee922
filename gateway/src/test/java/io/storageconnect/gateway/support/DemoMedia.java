package io.storageconnect.gateway.support;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's real media (H.264/AAC MP4s in {@code src/test/resources/demo-media}) as assets of a
 * {@link GatewayFixture}, laid out as the demo lays them out: {@link #VIDEO}, the 720p original in
 * acme's bucket; {@link #OFFLINE_VIDEO}, a globex asset whose original is never readable (the
 * fixture points globex at a port that refuses connections) with its 360p proxy in the managed
 * bucket. For tests that need bytes a browser can decode; {@link TestData} is for the rest.
 */
public final class DemoMedia {
  public static final String VIDEO = "demo-video";
  public static final String OFFLINE_VIDEO = "offline-video";
  /** Key of {@link #VIDEO} relative to acme's prefix: spaces, parentheses and {@code #}, as in the demo. */
  static final String VIDEO_KEY = "originals/Big Buck Test (final cut) #1.mp4";
  static final String OFFLINE_PROXY_KEY = "renditions/offline-video/h264_360p.mp4";
  /**
   * Port 1 (tcpmux): nothing listens there, so every connection is refused (as in the demo); a
   * port picked and released could be taken by another listener, the gateway's own included.
   */
  public static final String DOWN_ENDPOINT = "http://127.0.0.1:1";

  private DemoMedia() {}

  /** The 1280x720 original of {@link #VIDEO}. */
  public static Path original() {
    return dir().resolve("original/Big Buck Test (final cut) #1.mp4");
  }

  /** The 640x360 rendition, {@link #OFFLINE_VIDEO}'s managed proxy. */
  public static Path rendition360p() {
    return dir().resolve("renditions/h264_360p.mp4");
  }

  static void seed(S3Server s3) {
    // Stored as many upload tools do, binary/octet-stream: the catalog names the media type.
    s3.put(TestData.CUSTOMER_BUCKET, TestData.PREFIX + VIDEO_KEY, original(), "binary/octet-stream");
    s3.put(TestData.MANAGED_BUCKET, OFFLINE_PROXY_KEY, rendition360p(), "video/mp4");
  }

  static List<String> catalogLines() {
    return List.of(
        "  - id: " + VIDEO,
        "    account: " + TestData.ACCOUNT,
        "    key: " + TestData.quote(VIDEO_KEY),
        "    contentType: video/mp4",
        "  - id: " + OFFLINE_VIDEO,
        "    account: " + TestData.OTHER_ACCOUNT,
        "    key: originals/offline.mp4",
        "    contentType: video/mp4",
        "    renditions: { h264_360p: " + TestData.quote(OFFLINE_PROXY_KEY) + " }");
  }

  /**
   * The presentation duration in seconds that an MP4 file itself declares (ISO/IEC 14496-12
   * §8.2.2, the {@code mvhd} box inside the top-level {@code moov}): what a player should report.
   */
  public static double declaredDurationSeconds(Path mp4) throws IOException {
    ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(mp4));
    ByteBuffer moov = box(file, "moov");
    ByteBuffer mvhd = box(moov, "mvhd");
    int version = mvhd.get() & 0xff;
    mvhd.position(mvhd.position() + 3); // flags
    if (version == 1) {
      mvhd.position(mvhd.position() + 16); // creation and modification times, 64 bits each
      long timescale = mvhd.getInt() & 0xffffffffL;
      return (double) mvhd.getLong() / timescale;
    }
    mvhd.position(mvhd.position() + 8);
    long timescale = mvhd.getInt() & 0xffffffffL;
    return (double) (mvhd.getInt() & 0xffffffffL) / timescale;
  }

  /** The payload of the first child box of {@code type} among the boxes in {@code in}. */
  private static ByteBuffer box(ByteBuffer in, String type) throws IOException {
    ByteBuffer boxes = in.slice();
    while (boxes.remaining() >= 8) {
      int start = boxes.position();
      long size = boxes.getInt() & 0xffffffffL;
      byte[] name = new byte[4];
      boxes.get(name);
      int header = 8;
      if (size == 1) {
        size = boxes.getLong();
        header = 16;
      } else if (size == 0) {
        size = boxes.limit() - start; // to the end
      }
      if (size < header || start + size > boxes.limit()) {
        throw new IOException("malformed MP4 box at " + start);
      }
      if (new String(name, java.nio.charset.StandardCharsets.US_ASCII).equals(type)) {
        return boxes.slice(start + header, (int) size - header);
      }
      boxes.position((int) (start + size));
    }
    throw new IOException("no " + type + " box");
  }

  private static Path dir() {
    var url = DemoMedia.class.getResource("/demo-media/README.md");
    if (url == null) {
      throw new IllegalStateException("demo media not on the test classpath");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
