package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContentDispositionTest {

  @Test
  void attachment_plainAsciiName_filenameOnly() {
    assertThat(ContentDisposition.attachment("clip.mp4"))
        .isEqualTo("attachment; filename=\"clip.mp4\"");
  }

  @Test
  void inline_plainAsciiName_inlineType() {
    assertThat(ContentDisposition.inline("poster.jpg"))
        .isEqualTo("inline; filename=\"poster.jpg\"");
  }

  @Test
  void inline_unicodeName_bothParameters() {
    assertThat(ContentDisposition.inline("é.png"))
        .isEqualTo("inline; filename=\"e.png\"; filename*=UTF-8''%C3%A9.png");
  }

  @Test
  void attachment_spacesPlusHashParens_keptInQuotedFallbackOnly() {
    assertThat(ContentDisposition.attachment("Big Buck Test (final cut) #1.mp4"))
        .isEqualTo("attachment; filename=\"Big Buck Test (final cut) #1.mp4\"");
    assertThat(ContentDisposition.attachment("space and+plus.mp4"))
        .isEqualTo("attachment; filename=\"space and+plus.mp4\"");
  }

  @Test
  void attachment_doubleQuoteAndSemicolon_replacedInFallbackEncodedInFilenameStar() {
    assertThat(ContentDisposition.attachment("quote\"semi;colon.txt"))
        .isEqualTo(
            "attachment; filename=\"quote_semi;colon.txt\";"
                + " filename*=UTF-8''quote%22semi%3Bcolon.txt");
  }

  @Test
  void attachment_percentSign_replacedInFallbackEncodedInFilenameStar() {
    assertThat(ContentDisposition.attachment("100% real (v2).mp4"))
        .isEqualTo(
            "attachment; filename=\"100_ real (v2).mp4\";"
                + " filename*=UTF-8''100%25%20real%20%28v2%29.mp4");
  }

  @Test
  void attachment_percentEncodedLookalike_notDecodedButEscaped() {
    // "%22" stays literal text: a user agent that percent-decodes filename must not find a quote.
    assertThat(ContentDisposition.attachment("file%22.mp4"))
        .isEqualTo("attachment; filename=\"file_22.mp4\"; filename*=UTF-8''file%2522.mp4");
  }

  @Test
  void attachment_backslashes_becomeUnderscores() {
    assertThat(ContentDisposition.attachment("C:\\Users\\x\\evil.mp4"))
        .isEqualTo("attachment; filename=\"C:_Users_x_evil.mp4\"");
  }

  @Test
  void attachment_pathTraversal_separatorsReplacedAndLeadingDotsTrimmed() {
    assertThat(ContentDisposition.attachment("../../etc/passwd"))
        .isEqualTo("attachment; filename=\"_.._etc_passwd\"");
  }

  @Test
  void attachment_crlfHeaderInjection_controlsRemoved() {
    String value = ContentDisposition.attachment("a.mp4\r\nSet-Cookie: x=y");

    assertThat(value).isEqualTo("attachment; filename=\"a.mp4Set-Cookie: x=y\"");
    assertThat(value).doesNotContain("\r").doesNotContain("\n");
  }

  @Test
  void attachment_crlfWithUnicode_controlsNeverReachEitherParameter() {
    String value = ContentDisposition.attachment("é\r\n\u0000Set-Cookie: x=y");

    assertThat(value)
        .isEqualTo(
            "attachment; filename=\"eSet-Cookie: x=y\";"
                + " filename*=UTF-8''%C3%A9Set-Cookie%3A%20x%3Dy");
  }

  @Test
  void attachment_c1ControlsDelAndLineSeparators_removed() {
    assertThat(ContentDisposition.attachment("a\u0085b\u2028c\u2029d\u009b\u007fe\tf.mp4"))
        .isEqualTo("attachment; filename=\"abcdef.mp4\"");
  }

  @Test
  void attachment_rightToLeftOverride_removedSoExtensionCannotBeDisguised() {
    assertThat(ContentDisposition.attachment("evil\u202Egpj.exe"))
        .isEqualTo("attachment; filename=\"evilgpj.exe\"");
  }

  @Test
  void attachment_loneSurrogate_removed() {
    assertThat(ContentDisposition.attachment("a\ud800b\udc00.mp4"))
        .isEqualTo("attachment; filename=\"ab.mp4\"");
  }

  @Test
  void attachment_accentedAndCjkName_asciiFallbackAndUtf8FilenameStar() {
    assertThat(ContentDisposition.attachment("Ünïcødé 東京.mp4"))
        .isEqualTo(
            "attachment; filename=\"Unic_de __.mp4\"; filename*=UTF-8''"
                + "%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E6%9D%B1%E4%BA%AC.mp4");
  }

  @Test
  void attachment_emoji_oneUnderscoreAndFourUtf8Bytes() {
    assertThat(ContentDisposition.attachment("🎬 clip.mp4"))
        .isEqualTo("attachment; filename=\"_ clip.mp4\"; filename*=UTF-8''%F0%9F%8E%AC%20clip.mp4");
  }

  @Test
  void attachment_fullwidthSolidus_fallbackHasNoSlash() {
    // NFKD turns U+FF0F into '/', which must not reach the fallback.
    assertThat(ContentDisposition.attachment("a\uff0fb.mp4"))
        .isEqualTo("attachment; filename=\"a_b.mp4\"; filename*=UTF-8''a%EF%BC%8Fb.mp4");
  }

  @Test
  void attachment_fullwidthQuote_fallbackHasNoQuote() {
    assertThat(ContentDisposition.attachment("a\uff02b"))
        .isEqualTo("attachment; filename=\"a_b\"; filename*=UTF-8''a%EF%BC%82b");
  }

  @Test
  void attachment_ligature_decomposedInFallback() {
    assertThat(ContentDisposition.attachment("\ufb01lm.mp4"))
        .isEqualTo("attachment; filename=\"film.mp4\"; filename*=UTF-8''%EF%AC%81lm.mp4");
  }

  @Test
  void attachment_everyAttrChar_notEncoded() {
    assertThat(ContentDisposition.attachment("é!#$&+-.^_`|~"))
        .isEqualTo("attachment; filename=\"e!#$&+-.^_`|~\"; filename*=UTF-8''%C3%A9!#$&+-.^_`|~");
  }

  @Test
  void attachment_printableAsciiOutsideAttrChar_encodedWhenFilenameStarPresent() {
    assertThat(ContentDisposition.attachment("é '()*,;=@[]{}<>?:"))
        .isEqualTo(
            "attachment; filename=\"e '()*,;=@[]{}<>?:\"; filename*=UTF-8''"
                + "%C3%A9%20%27%28%29%2A%2C%3B%3D%40%5B%5D%7B%7D%3C%3E%3F%3A");
  }

  @Test
  void attachment_leadingAndTrailingDotsAndWhitespace_trimmed() {
    assertThat(ContentDisposition.attachment("  ..hidden.mp4. . "))
        .isEqualTo("attachment; filename=\"hidden.mp4\"");
    assertThat(ContentDisposition.attachment("\u00a0\u3000name.mp4\u2003"))
        .isEqualTo("attachment; filename=\"name.mp4\"");
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", " ", "...", ". . .", "\r\n", "\u202e", "\t \u0000"})
  void attachment_nothingLeft_download(String name) {
    assertThat(ContentDisposition.attachment(name)).isEqualTo("attachment; filename=\"download\"");
  }

  @Test
  void attachment_veryLongNameWithExtension_cappedAndExtensionKept() {
    String value = ContentDisposition.attachment("a".repeat(300) + ".mp4");

    assertThat(value).isEqualTo("attachment; filename=\"" + "a".repeat(196) + ".mp4\"");
  }

  @Test
  void attachment_veryLongNameWithoutExtension_cappedAt200() {
    assertThat(ContentDisposition.attachment("a".repeat(300)))
        .isEqualTo("attachment; filename=\"" + "a".repeat(200) + "\"");
  }

  @Test
  void attachment_veryLongExtension_notKept() {
    assertThat(ContentDisposition.attachment("a".repeat(250) + "." + "b".repeat(30)))
        .isEqualTo("attachment; filename=\"" + "a".repeat(200) + "\"");
  }

  @Test
  void attachment_truncationEndsInSpaces_trimmedBeforeExtension() {
    assertThat(ContentDisposition.attachment("a".repeat(195) + " ".repeat(10) + ".mp4"))
        .isEqualTo("attachment; filename=\"" + "a".repeat(195) + ".mp4\"");
  }

  @Test
  void attachment_veryLongEmojiName_cappedAtCodePointsNotSplittingPairs() {
    String value = ContentDisposition.attachment("🎬".repeat(300));

    assertThat(value)
        .isEqualTo(
            "attachment; filename=\""
                + "_".repeat(200)
                + "\"; filename*=UTF-8''"
                + "%F0%9F%8E%AC".repeat(200));
  }

  @Test
  void cleanFileName_exactly200CodePoints_unchanged() {
    String name = "é".repeat(196) + ".mp4";
    assertThat(ContentDisposition.cleanFileName(name)).isEqualTo(name);
  }
}
