package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ContentDispositionPropertyTest {

  /** The whole grammar this class may produce: RFC 6266 §4.1 with RFC 8187 §3.2.1 ext-value. */
  private static final Pattern SHAPE =
      Pattern.compile(
          "(attachment|inline); filename=\"([\\x20-\\x7E&&[^\"\\\\%]]+)\""
              + "(?:; filename\\*=UTF-8''((?:[A-Za-z0-9!#$&+\\-.^_`|~]|%[0-9A-F]{2})+))?");

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(260);
    Arbitrary<String> awkward =
        Arbitraries.strings()
            .withChars(
                "aZ09 .-_\"\\/%;=,'\r\n\t\u0000\u007f\u0085\u2028\u2029\u202e\u00a0"
                    + "é東\ud83c\udfac\uff0f\uff02\ufb01\u0301")
            .ofMaxLength(240);
    return Arbitraries.oneOf(any, awkward);
  }

  @Property(tries = 3000)
  void attachment_anyName_onlyVisibleAsciiAndSpace(@ForAll("names") String name) {
    String value = ContentDisposition.attachment(name);

    assertThat(value.chars()).allMatch(c -> c >= 0x20 && c < 0x7F);
  }

  @Property(tries = 3000)
  void attachment_anyName_filenameStarDecodesToCleanedName(@ForAll("names") String name) {
    String value = ContentDisposition.attachment(name);
    String cleaned = ContentDisposition.cleanFileName(name);

    Matcher matcher = SHAPE.matcher(value);
    assertThat(matcher.matches()).as("shape of %s", value).isTrue();
    if (matcher.group(3) != null) {
      assertThat(percentDecode(matcher.group(3))).isEqualTo(cleaned);
      assertThat(matcher.group(2)).isNotEqualTo(cleaned);
    } else {
      assertThat(matcher.group(2)).isEqualTo(cleaned);
    }
  }

  @Property(tries = 3000)
  void cleanFileName_anyName_safeTrimmedBoundedAndNonEmpty(@ForAll("names") String name) {
    String cleaned = ContentDisposition.cleanFileName(name);

    assertThat(cleaned).isNotEmpty().doesNotContain("/", "\\");
    assertThat(cleaned.codePointCount(0, cleaned.length()))
        .isLessThanOrEqualTo(ContentDisposition.MAX_NAME_LENGTH);
    assertThat(cleaned.codePoints())
        .noneMatch(cp -> cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
        .noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
    assertThat(cleaned).doesNotStartWith(".").doesNotEndWith(".");
    assertThat(Character.isWhitespace(cleaned.codePointAt(0))).isFalse();
    assertThat(ContentDisposition.cleanFileName(cleaned)).isEqualTo(cleaned);
  }

  @Property(tries = 1000)
  void inline_anyName_sameParametersAsAttachment(@ForAll("names") String name) {
    assertThat(ContentDisposition.inline(name))
        .isEqualTo("inline" + ContentDisposition.attachment(name).substring("attachment".length()));
  }

  private static String percentDecode(String encoded) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
