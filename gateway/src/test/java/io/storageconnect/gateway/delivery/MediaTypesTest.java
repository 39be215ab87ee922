package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypesTest {

  // --- precedence: catalog, then a specific stored type, then the extension ---

  @Test
  void resolve_validCatalogType_winsOverStoredAndExtension() {
    assertThat(MediaTypes.resolve("video/quicktime", "video/mp4", "clip.mkv"))
        .isEqualTo("video/quicktime");
  }

  @Test
  void resolve_catalogTypeWithParameters_keptAsGiven() {
    assertThat(MediaTypes.resolve("text/plain; charset=ISO-8859-1", null, "a.txt"))
        .isEqualTo("text/plain; charset=ISO-8859-1");
    assertThat(MediaTypes.resolve("video/mp4; codecs=\"avc1.42E01E, mp4a.40.2\"", null, null))
        .isEqualTo("video/mp4; codecs=\"avc1.42E01E, mp4a.40.2\"");
  }

  @Test
  void resolve_catalogTypeWithSurroundingSpaces_trimmed() {
    assertThat(MediaTypes.resolve("  image/png\t", null, null)).isEqualTo("image/png");
  }

  @Test
  void resolve_catalogOctetStream_stillWinsBecauseTheCatalogSaidSo() {
    assertThat(MediaTypes.resolve("application/octet-stream", "video/mp4", "a.mp4"))
        .isEqualTo("application/octet-stream");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        " ",
        "mp4",
        "video",
        "video/",
        "/mp4",
        "video mp4",
        "video/mp4/x",
        "video /mp4",
        "video/mp4\r\nX-Injected: 1",
        "video/mp4\r\n",
        "video/mp4\n",
        "vid\u00e9o/mp4",
        "video/mp4; charset",
        "video/mp4; =x",
        "video/mp4; a=",
        "video/mp4; a=\"unterminated",
        "video/mp4; a=\"caf\u00e9\"",
        "video/mp4 x",
        "video/(mp4)",
        "text/plain; charset=utf-8\u0000"
      })
  void resolve_invalidCatalogType_fallsThroughToStoredType(String catalogType) {
    assertThat(MediaTypes.resolve(catalogType, "video/webm", "a.mp4")).isEqualTo("video/webm");
  }

  @Test
  void resolve_emptyParameters_accepted() {
    // parameters = *( OWS ";" OWS [ parameter ] ) allows empty ones (RFC 9110 §8.3.1).
    assertThat(MediaTypes.resolve("video/mp4;", null, null)).isEqualTo("video/mp4;");
    assertThat(MediaTypes.resolve("video/mp4; ; a=b", null, null)).isEqualTo("video/mp4; ; a=b");
  }

  @Test
  void resolve_quotedPairInParameter_accepted() {
    assertThat(MediaTypes.resolve("text/plain; a=\"x\\\"y\"", null, null))
        .isEqualTo("text/plain; a=\"x\\\"y\"");
  }

  @Test
  void resolve_specificStoredType_usedWhenNoCatalogType() {
    assertThat(MediaTypes.resolve(null, "video/quicktime", "a.mp4")).isEqualTo("video/quicktime");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/octet-stream",
        "binary/octet-stream",
        "Application/Octet-Stream",
        "BINARY/OCTET-STREAM",
        "application/octet-stream; charset=binary",
        " application/octet-stream "
      })
  void resolve_genericStoredType_fallsThroughToExtension(String storedType) {
    assertThat(MediaTypes.resolve(null, storedType, "clip.mp4")).isEqualTo("video/mp4");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "mp4", "video/mp4\r\nSet-Cookie: a=b"})
  void resolve_blankOrInvalidStoredType_fallsThroughToExtension(String storedType) {
    assertThat(MediaTypes.resolve(null, storedType, "clip.mp4")).isEqualTo("video/mp4");
  }

  // --- the extension table ---

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a.mp4|video/mp4",
        "a.m4v|video/x-m4v",
        "a.mov|video/quicktime",
        "a.mxf|application/mxf",
        "a.webm|video/webm",
        "a.mkv|video/x-matroska",
        "a.avi|video/x-msvideo",
        "a.m4a|audio/mp4",
        "a.mp3|audio/mpeg",
        "a.wav|audio/wav",
        "a.aac|audio/aac",
        "a.flac|audio/flac",
        "a.jpg|image/jpeg",
        "a.jpeg|image/jpeg",
        "a.png|image/png",
        "a.gif|image/gif",
        "a.webp|image/webp",
        "a.tif|image/tiff",
        "a.tiff|image/tiff",
        "a.exr|image/x-exr",
        "a.dpx|image/x-dpx",
        "a.pdf|application/pdf",
        "a.m3u8|application/vnd.apple.mpegurl",
        "a.ts|video/mp2t",
        "a.mpd|application/dash+xml",
        "a.vtt|text/vtt",
        "a.srt|application/x-subrip",
        "a.json|application/json",
        "a.txt|text/plain; charset=utf-8",
        "a.zip|application/zip"
      })
  void resolve_knownExtension_mappedType(String fileName, String expected) {
    assertThat(MediaTypes.resolve(null, null, fileName)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "CLIP.MP4|video/mp4",
        "Poster.JpEg|image/jpeg",
        "folder/sub/Ünïcødé 東京.mp4|video/mp4",
        "folder.v2/frame.0001.exr|image/x-exr",
        "C:\\media\\intro.MOV|video/quicktime",
        ".mp4|video/mp4"
      })
  void resolve_extensionInAnyCaseOrAfterPath_mappedType(String fileName, String expected) {
    assertThat(MediaTypes.resolve(null, null, fileName)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {"README", "archive.tar.gz", "a.exe", "a.", "folder.mp4/file", "a.mp4.part", "mp4"})
  void resolve_unknownOrMissingExtension_octetStream(String fileName) {
    assertThat(MediaTypes.resolve(null, null, fileName)).isEqualTo("application/octet-stream");
  }

  @Test
  void resolve_everythingMissing_octetStream() {
    assertThat(MediaTypes.resolve(null, "binary/octet-stream", null))
        .isEqualTo(MediaTypes.OCTET_STREAM);
  }

  // --- compression ---

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/plain",
        "text/plain; charset=utf-8",
        "text/vtt",
        "text/html",
        "TEXT/CSS",
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/xml",
        "image/svg+xml"
      })
  void isCompressible_textJsonXmlSvg_true(String type) {
    assertThat(MediaTypes.isCompressible(type)).isTrue();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "video/mp4",
        "audio/mpeg",
        "image/jpeg",
        "image/png",
        "application/octet-stream",
        "application/zip",
        "application/pdf",
        "application/mxf",
        "application/vnd.apple.mpegurl",
        "application/dash+xml",
        "application/x-subrip",
        "text",
        "text/",
        "garbage",
        "text/plain\r\n"
      })
  void isCompressible_mediaBinaryOrInvalid_false(String type) {
    assertThat(MediaTypes.isCompressible(type)).isFalse();
  }
}
