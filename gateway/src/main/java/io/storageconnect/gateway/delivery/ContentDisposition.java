package io.storageconnect.gateway.delivery;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * Builds {@code Content-Disposition} values that carry a download file name safely (RFC 6266, RFC
 * 8187); stateless, pure, thread-safe, and never blocks.
 *
 * <p>Whatever the stored name holds, the value contains only visible ASCII and spaces: control,
 * line-separator and bidirectional-override characters are removed, path separators become {@code
 * _}, and the full name travels percent-encoded in {@code filename*} next to an ASCII {@code
 * filename} fallback for user agents that lack RFC 8187 (RFC 6266 §4.3, appendix D).
 */
public final class ContentDisposition {

  /** Longest name kept, in code points; most file systems stop at 255 bytes. */
  static final int MAX_NAME_LENGTH = 200;

  /** An extension up to this long (dot included) survives truncation of a long name. */
  private static final int MAX_KEPT_EXTENSION = 16;

  private static final String DEFAULT_NAME = "download";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private ContentDisposition() {}

  /** {@code attachment; filename="..."[; filename*=UTF-8''...]}: the browser saves the file. */
  public static String attachment(String fileName) {
    return build("attachment", fileName);
  }

  /** {@code inline; filename="..."[; filename*=UTF-8''...]}: the browser may display the file. */
  public static String inline(String fileName) {
    return build("inline", fileName);
  }

  private static String build(String type, String fileName) {
    String name = cleanFileName(fileName);
    String fallback = asciiFallback(name);
    StringBuilder out =
        new StringBuilder(type).append("; filename=\"").append(fallback).append('"');
    // filename* only when it says something the fallback cannot (RFC 6266 §4.3: the fallback
    // comes first, as some user agents take the last filename parameter they see).
    if (!fallback.equals(name)) {
      out.append("; filename*=UTF-8''");
      percentEncode(name, out);
    }
    return out.toString();
  }

  /**
   * The name exactly as {@code filename*} carries it: unsafe characters removed, separators
   * replaced, trimmed, at most {@value #MAX_NAME_LENGTH} code points, never empty.
   */
  static String cleanFileName(String fileName) {
    if (fileName == null) {
      return DEFAULT_NAME;
    }
    StringBuilder out = new StringBuilder(fileName.length());
    for (int i = 0; i < fileName.length(); ) {
      int cp = fileName.codePointAt(i);
      i += Character.charCount(cp);
      if (isRemoved(cp)) {
        continue;
      }
      out.appendCodePoint(cp == '/' || cp == '\\' ? '_' : cp);
    }
    return tidy(out.toString());
  }

  /**
   * The quoted-string fallback (RFC 6266 §4.3): compatibility-decomposed with combining marks
   * dropped (é → e), then every character that is not printable ASCII, and {@code " \ %}, becomes
   * {@code _}. {@code %} goes because some user agents percent-decode {@code filename}. The
   * decomposition may produce {@code /} (from U+FF0F) or lengthen the name, so it is tidied again.
   */
  private static String asciiFallback(String name) {
    String decomposed = Normalizer.normalize(name, Normalizer.Form.NFKD);
    StringBuilder out = new StringBuilder(decomposed.length());
    for (int i = 0; i < decomposed.length(); ) {
      int cp = decomposed.codePointAt(i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.NON_SPACING_MARK
          || type == Character.COMBINING_SPACING_MARK
          || type == Character.ENCLOSING_MARK) {
        continue;
      }
      boolean safe = cp >= 0x20 && cp < 0x7F && cp != '"' && cp != '\\' && cp != '%' && cp != '/';
      out.append(safe ? (char) cp : '_');
    }
    return tidy(out.toString());
  }

  /**
   * Trims whitespace and dots at both ends (no hidden files, no names Windows rejects), caps the
   * length while keeping a short extension, and substitutes a default for an empty result.
   */
  private static String tidy(String name) {
    String trimmed = trim(name);
    if (trimmed.codePointCount(0, trimmed.length()) > MAX_NAME_LENGTH) {
      int dot = trimmed.lastIndexOf('.');
      String extension = dot > 0 ? trimmed.substring(dot) : "";
      int extensionLength = extension.codePointCount(0, extension.length());
      if (extensionLength > MAX_KEPT_EXTENSION || extension.isEmpty()) {
        extension = "";
        extensionLength = 0;
      }
      String stem = trimmed.substring(0, trimmed.length() - extension.length());
      stem = stem.substring(0, stem.offsetByCodePoints(0, MAX_NAME_LENGTH - extensionLength));
      trimmed = trim(trim(stem) + extension);
    }
    return trimmed.isEmpty() ? DEFAULT_NAME : trimmed;
  }

  private static String trim(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && isTrimmed(s.codePointAt(from))) {
      from += Character.charCount(s.codePointAt(from));
    }
    while (to > from && isTrimmed(s.codePointBefore(to))) {
      to -= Character.charCount(s.codePointBefore(to));
    }
    return s.substring(from, to);
  }

  private static boolean isTrimmed(int cp) {
    return cp == '.' || Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  /**
   * Characters that must never reach a header or a saved file name: C0 and C1 controls and DEL,
   * U+2028/U+2029 (line and paragraph separators), the bidirectional controls that make "evil" +
   * U+202E + "gpj.exe" display as "evilexe.jpg", and unpaired surrogates, which have no UTF-8
   * encoding.
   */
  private static boolean isRemoved(int cp) {
    return cp < 0x20
        || (cp >= 0x7F && cp <= 0x9F)
        || cp == 0x2028
        || cp == 0x2029
        || cp == 0x061C
        || cp == 0x200E
        || cp == 0x200F
        || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2066 && cp <= 0x2069)
        || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
  }

  /**
   * ext-value = charset "'" [ language ] "'" value-chars; value-chars = *( pct-encoded / attr-char
   * ), with attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" /
   * "|" / "~" (RFC 8187 §3.2.1).
   */
  private static void percentEncode(String name, StringBuilder out) {
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (isAttrChar(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0x0F]);
      }
    }
  }

  private static boolean isAttrChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$&+-.^_`|~".indexOf(c) >= 0;
  }
}
