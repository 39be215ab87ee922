package io.storageconnect.gateway.delivery;

import java.util.Locale;
import java.util.Map;

/**
 * Chooses the {@code Content-Type} of a delivered object (RFC 9110 §8.3) and says whether it is
 * worth compressing; stateless, pure, thread-safe, and never blocks.
 */
public final class MediaTypes {

  /** The type for bytes of unknown kind (RFC 2046 §4.5.1). */
  public static final String OCTET_STREAM = "application/octet-stream";

  private static final Map<String, String> BY_EXTENSION =
      Map.ofEntries(
          Map.entry("mp4", "video/mp4"),
          Map.entry("m4v", "video/x-m4v"),
          Map.entry("mov", "video/quicktime"),
          Map.entry("mxf", "application/mxf"),
          Map.entry("webm", "video/webm"),
          Map.entry("mkv", "video/x-matroska"),
          Map.entry("avi", "video/x-msvideo"),
          Map.entry("m4a", "audio/mp4"),
          Map.entry("mp3", "audio/mpeg"),
          Map.entry("wav", "audio/wav"),
          Map.entry("aac", "audio/aac"),
          Map.entry("flac", "audio/flac"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("png", "image/png"),
          Map.entry("gif", "image/gif"),
          Map.entry("webp", "image/webp"),
          Map.entry("tif", "image/tiff"),
          Map.entry("tiff", "image/tiff"),
          Map.entry("exr", "image/x-exr"),
          Map.entry("dpx", "image/x-dpx"),
          Map.entry("pdf", "application/pdf"),
          Map.entry("m3u8", "application/vnd.apple.mpegurl"),
          Map.entry("ts", "video/mp2t"),
          Map.entry("mpd", "application/dash+xml"),
          Map.entry("vtt", "text/vtt"),
          Map.entry("srt", "application/x-subrip"),
          Map.entry("json", "application/json"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("zip", "application/zip"));

  private MediaTypes() {}

  /**
   * The first usable of: the catalog's type, the type stored with the object unless it is the
   * generic {@code application/octet-stream} or {@code binary/octet-stream} (what uploaders that
   * did not know send), the type implied by the file name's extension, and {@value #OCTET_STREAM}.
   * A value is usable only if it is a well-formed media-type, so a stored value with CR/LF or other
   * junk can never reach a header.
   *
   * @param catalogType the type recorded in the asset catalog, or null
   * @param storedType the object's stored {@code Content-Type}, or null
   * @param fileName the object's file name or key, or null
   */
  public static String resolve(String catalogType, String storedType, String fileName) {
    if (isValid(catalogType)) {
      return trimOws(catalogType);
    }
    if (isValid(storedType)) {
      String essence = essence(storedType);
      if (!essence.equals(OCTET_STREAM) && !essence.equals("binary/octet-stream")) {
        return trimOws(storedType);
      }
    }
    String byExtension = BY_EXTENSION.get(extension(fileName));
    return byExtension != null ? byExtension : OCTET_STREAM;
  }

  /**
   * Whether a response of this type is worth compressing: text, JSON, XML and SVG. Media formats
   * are already compressed, and compressing them would also break byte ranges.
   */
  public static boolean isCompressible(String type) {
    if (!isValid(type)) {
      return false;
    }
    String essence = essence(type);
    return essence.startsWith("text/")
        || essence.equals("application/json")
        || essence.equals("application/xml")
        || essence.equals("image/svg+xml");
  }

  /** The lower-case "type/subtype" of a valid media-type, without parameters. */
  private static String essence(String mediaType) {
    int semicolon = mediaType.indexOf(';');
    String essence = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
    return trimOws(essence).toLowerCase(Locale.ROOT);
  }

  /** The lower-case extension of the last path segment, or "" when there is none. */
  private static String extension(String fileName) {
    if (fileName == null) {
      return "";
    }
    int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    String base = fileName.substring(slash + 1);
    int dot = base.lastIndexOf('.');
    return dot < 0 ? "" : base.substring(dot + 1).strip().toLowerCase(Locale.ROOT);
  }

  /**
   * media-type = type "/" subtype parameters; parameters = *( OWS ";" OWS [ parameter ] );
   * parameter = token "=" ( token / quoted-string ) (RFC 9110 §8.3.1, §5.6.6). Non-ASCII (obs-text)
   * is refused as well, so that a valid value is always plain ASCII.
   */
  static boolean isValid(String value) {
    if (value == null) {
      return false;
    }
    String s = trimOws(value);
    int i = token(s, 0);
    if (i == 0 || i >= s.length() || s.charAt(i) != '/') {
      return false;
    }
    int subtypeEnd = token(s, i + 1);
    if (subtypeEnd == i + 1) {
      return false;
    }
    i = subtypeEnd;
    while (true) {
      i = ows(s, i);
      if (i == s.length()) {
        return true;
      }
      if (s.charAt(i) != ';') {
        return false;
      }
      i = ows(s, i + 1);
      if (i == s.length() || s.charAt(i) == ';') {
        continue; // an empty parameter is allowed
      }
      int nameEnd = token(s, i);
      if (nameEnd == i || nameEnd >= s.length() || s.charAt(nameEnd) != '=') {
        return false;
      }
      i = nameEnd + 1;
      if (i < s.length() && s.charAt(i) == '"') {
        i = quotedStringEnd(s, i);
        if (i < 0) {
          return false;
        }
      } else {
        int valueEnd = token(s, i);
        if (valueEnd == i) {
          return false;
        }
        i = valueEnd;
      }
    }
  }

  /** Removes SP and HTAB at both ends only: CR, LF and other controls make a value invalid. */
  private static String trimOws(String s) {
    int from = ows(s, 0);
    int to = s.length();
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return s.substring(from, to);
  }

  private static int token(String s, int from) {
    int i = from;
    while (i < s.length() && isTchar(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int ows(String s, int from) {
    int i = from;
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  /** Index just past the quoted-string starting at {@code from}, or -1 (RFC 9110 §5.6.4). */
  private static int quotedStringEnd(String s, int from) {
    for (int i = from + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\') {
        i++;
        if (i >= s.length() || !isQuotable(s.charAt(i))) {
          return -1;
        }
      } else if (!isQuotable(c)) {
        return -1;
      }
    }
    return -1;
  }

  private static boolean isQuotable(char c) {
    return c == '\t' || (c >= 0x20 && c < 0x7F);
  }

  /** tchar (RFC 9110 §5.6.2): ALPHA, DIGIT and {@code !#$%&'*+-.^_`|~}. */
  private static boolean isTchar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
