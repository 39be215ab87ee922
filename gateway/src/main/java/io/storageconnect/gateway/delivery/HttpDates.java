package io.storageconnect.gateway.delivery;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Formats and parses HTTP-date values (RFC 9110 §5.6.7); stateless, pure apart from reading the
 * wall clock for two-digit years, thread-safe, and never blocks.
 *
 * <p>Parsing is strict about the three grammars (HTTP-date is case-sensitive) and lenient in one
 * way only: the redundant day name must be a real day name but need not match the date.
 */
public final class HttpDates {

  private static final List<String> DAY_NAMES =
      List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
  private static final List<String> LONG_DAY_NAMES =
      List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");
  private static final List<String> MONTHS =
      List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

  /** First and last instants that IMF-fixdate's 4DIGIT year can express. */
  private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private HttpDates() {}

  /**
   * Formats an instant as IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}; fractions of a
   * second are dropped.
   *
   * @throws IllegalArgumentException for instants outside years 0000–9999, which the format cannot
   *     express
   */
  public static String format(Instant instant) {
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST.plusNanos(999_999_999))) {
      throw new IllegalArgumentException(
          "instant: " + instant + " (expected: between " + EARLIEST + " and " + LATEST + ")");
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
    StringBuilder out = new StringBuilder(29);
    out.append(DAY_NAMES.get(t.getDayOfWeek().getValue() - 1)).append(", ");
    appendPadded(out, t.getDayOfMonth(), 2).append(' ');
    out.append(MONTHS.get(t.getMonthValue() - 1)).append(' ');
    appendPadded(out, t.getYear(), 4).append(' ');
    appendPadded(out, t.getHour(), 2).append(':');
    appendPadded(out, t.getMinute(), 2).append(':');
    appendPadded(out, t.getSecond(), 2).append(" GMT");
    return out.toString();
  }

  /**
   * Parses an HTTP-date in any of the three forms a recipient must accept (RFC 9110 §5.6.7):
   * IMF-fixdate, obsolete RFC 850 and asctime. Returns empty for null or anything else, including a
   * list of dates; never throws.
   */
  public static Optional<Instant> parse(String value) {
    return parse(value, Instant.now());
  }

  /**
   * As {@link #parse(String)}, with the current time given: RFC 850 dates carry a two-digit year,
   * and one that "appears to be more than 50 years in the future" is taken from the past century
   * (RFC 9110 §5.6.7).
   */
  static Optional<Instant> parse(String value, Instant now) {
    if (value == null) {
      return Optional.empty();
    }
    String s = stripOws(value);
    if (s.length() == 29 && s.charAt(3) == ',') {
      return parseImfFixdate(s);
    }
    if (s.length() == 24) {
      return parseAsctime(s);
    }
    int comma = s.indexOf(',');
    if (comma > 0) {
      return parseRfc850(s, comma, now);
    }
    return Optional.empty();
  }

  /** IMF-fixdate = day-name "," SP day SP month SP year SP hh:mm:ss SP "GMT". */
  private static Optional<Instant> parseImfFixdate(String s) {
    if (!DAY_NAMES.contains(s.substring(0, 3))
        || s.charAt(4) != ' '
        || s.charAt(7) != ' '
        || s.charAt(11) != ' '
        || s.charAt(16) != ' '
        || s.charAt(25) != ' '
        || !s.startsWith("GMT", 26)) {
      return Optional.empty();
    }
    return toInstant(number(s, 12, 16), month(s, 8), number(s, 5, 7), timeOfDay(s, 17));
  }

  /** rfc850-date = day-name-l "," SP day "-" month "-" 2DIGIT SP hh:mm:ss SP "GMT". */
  private static Optional<Instant> parseRfc850(String s, int comma, Instant now) {
    int p = comma + 1; // index of the SP after the comma
    if (!LONG_DAY_NAMES.contains(s.substring(0, comma))
        || s.length() != p + 23
        || s.charAt(p) != ' '
        || s.charAt(p + 3) != '-'
        || s.charAt(p + 7) != '-'
        || s.charAt(p + 10) != ' '
        || s.charAt(p + 19) != ' '
        || !s.startsWith("GMT", p + 20)) {
      return Optional.empty();
    }
    int twoDigitYear = number(s, p + 8, p + 10);
    int month = month(s, p + 4);
    int day = number(s, p + 1, p + 3);
    int[] time = timeOfDay(s, p + 11);
    if (twoDigitYear < 0 || month < 0 || day < 0 || time == null) {
      return Optional.empty();
    }
    // "MUST interpret a timestamp that appears to be more than 50 years in the future as
    // representing the most recent year in the past that had the same last two digits"
    // (§5.6.7): take the latest such year that is not past now + 50 years. Chosen before the
    // day is validated, so that 29-Feb-00 means 2000 (a leap year) and not 2100.
    LocalDateTime limit = LocalDateTime.ofInstant(now, ZoneOffset.UTC).plusYears(50);
    int year = limit.getYear() - Math.floorMod(limit.getYear(), 100) + twoDigitYear;
    if (year > limit.getYear()
        || (year == limit.getYear() && laterInYear(month, day, time, limit))) {
      year -= 100;
    }
    return toInstant(year, month, day, time);
  }

  private static boolean laterInYear(int month, int day, int[] time, LocalDateTime limit) {
    long stamp = ((((month * 100L + day) * 100 + time[0]) * 100 + time[1]) * 100) + time[2];
    long limitStamp =
        ((((limit.getMonthValue() * 100L + limit.getDayOfMonth()) * 100 + limit.getHour()) * 100
                    + limit.getMinute())
                * 100)
            + limit.getSecond();
    return stamp > limitStamp;
  }

  /** asctime-date = day-name SP month SP ( 2DIGIT / ( SP DIGIT ) ) SP hh:mm:ss SP year. */
  private static Optional<Instant> parseAsctime(String s) {
    if (!DAY_NAMES.contains(s.substring(0, 3))
        || s.charAt(3) != ' '
        || s.charAt(7) != ' '
        || s.charAt(10) != ' '
        || s.charAt(19) != ' ') {
      return Optional.empty();
    }
    int day = s.charAt(8) == ' ' ? number(s, 9, 10) : number(s, 8, 10);
    return toInstant(number(s, 20, 24), month(s, 4), day, timeOfDay(s, 11));
  }

  /**
   * Parses time-of-day = hour ":" minute ":" second at {@code at} into {hour, minute, second}, or
   * returns null. The grammar allows a leap second (23:59:60); an Instant has none, so it counts as
   * :59.
   */
  private static int[] timeOfDay(String s, int at) {
    if (s.charAt(at + 2) != ':' || s.charAt(at + 5) != ':') {
      return null;
    }
    int hour = number(s, at, at + 2);
    int minute = number(s, at + 3, at + 5);
    int second = number(s, at + 6, at + 8);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
      return null;
    }
    return new int[] {hour, minute, Math.min(second, 59)};
  }

  /** Builds the instant once the calendar date is known to exist (no 31 Apr, no 29 Feb 1900). */
  private static Optional<Instant> toInstant(int year, int month, int day, int[] time) {
    if (year < 0
        || month < 1
        || day < 1
        || time == null
        || day > Year.of(year).atMonth(month).lengthOfMonth()) {
      return Optional.empty();
    }
    LocalDateTime t = LocalDateTime.of(year, month, day, time[0], time[1], time[2]);
    return Optional.of(t.toInstant(ZoneOffset.UTC));
  }

  /** Parses the ASCII digits in {@code [from, to)}, or returns -1 if any is not a digit. */
  private static int number(String s, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** The month number (1–12) of the case-sensitive three-letter name at {@code at}, or -1. */
  private static int month(String s, int at) {
    int index = MONTHS.indexOf(s.substring(at, at + 3));
    return index < 0 ? -1 : index + 1;
  }

  private static StringBuilder appendPadded(StringBuilder out, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(digits);
  }

  private static String stripOws(String value) {
    int from = 0;
    int to = value.length();
    while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
      to--;
    }
    return value.substring(from, to);
  }
}
