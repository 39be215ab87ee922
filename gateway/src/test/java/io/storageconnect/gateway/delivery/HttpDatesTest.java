package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDatesTest {

  /** The example instant of RFC 9110 §5.6.7. */
  private static final Instant RFC_EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

  private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");

  @Test
  void format_rfcExample_imfFixdate() {
    assertThat(HttpDates.format(RFC_EXAMPLE)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
  }

  @Test
  void format_fractionOfSecond_dropped() {
    assertThat(HttpDates.format(Instant.parse("1994-11-06T08:49:37.999999999Z")))
        .isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
  }

  @Test
  void format_singleDigitFields_zeroPadded() {
    assertThat(HttpDates.format(Instant.parse("2024-02-29T01:02:03Z")))
        .isEqualTo("Thu, 29 Feb 2024 01:02:03 GMT");
    assertThat(HttpDates.format(Instant.EPOCH)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
  }

  @Test
  void format_yearsAtTheEdgesOfFourDigits_padded() {
    assertThat(HttpDates.format(Instant.parse("0099-03-01T00:00:00Z")))
        .isEqualTo("Sun, 01 Mar 0099 00:00:00 GMT");
    assertThat(HttpDates.format(Instant.parse("9999-12-31T23:59:59.5Z")))
        .isEqualTo("Fri, 31 Dec 9999 23:59:59 GMT");
  }

  @Test
  void format_yearBeyondFourDigits_throws() {
    assertThatThrownBy(() -> HttpDates.format(Instant.parse("+10000-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpDates.format(Instant.parse("-0001-12-31T23:59:59Z")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_imfFixdate_instant() {
    assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT")).contains(RFC_EXAMPLE);
  }

  @Test
  void parse_rfc850_instant() {
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).contains(RFC_EXAMPLE);
  }

  @Test
  void parse_asctimeWithSpacePaddedDay_instant() {
    assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994")).contains(RFC_EXAMPLE);
  }

  @Test
  void parse_asctimeWithZeroPaddedDay_instant() {
    assertThat(HttpDates.parse("Sun Nov 06 08:49:37 1994")).contains(RFC_EXAMPLE);
  }

  @Test
  void parse_asctimeWithTwoDigitDay_instant() {
    assertThat(HttpDates.parse("Wed Nov 16 08:49:37 1994"))
        .contains(Instant.parse("1994-11-16T08:49:37Z"));
  }

  @Test
  void parse_surroundingWhitespace_ignored() {
    assertThat(HttpDates.parse(" \tSun, 06 Nov 1994 08:49:37 GMT\t ")).contains(RFC_EXAMPLE);
  }

  @Test
  void parse_dayNameNotMatchingDate_acceptedBecauseRedundant() {
    assertThat(HttpDates.parse("Mon, 06 Nov 1994 08:49:37 GMT")).contains(RFC_EXAMPLE);
  }

  @Test
  void parse_leapSecond_countedAsFiftyNine() {
    assertThat(HttpDates.parse("Sat, 31 Dec 2016 23:59:60 GMT"))
        .contains(Instant.parse("2016-12-31T23:59:59Z"));
  }

  @Test
  void parse_leapDay_acceptedOnlyInLeapYears() {
    assertThat(HttpDates.parse("Tue, 29 Feb 2000 12:00:00 GMT"))
        .contains(Instant.parse("2000-02-29T12:00:00Z"));
    assertThat(HttpDates.parse("Thu, 29 Feb 1900 12:00:00 GMT")).isEmpty();
    assertThat(HttpDates.parse("Wed, 29 Feb 2023 12:00:00 GMT")).isEmpty();
  }

  @Test
  void parse_rfc850YearWithinFiftyYears_currentCentury() {
    assertThat(HttpDates.parse("Monday, 01-Jan-30 00:00:00 GMT", NOW))
        .contains(Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Test
  void parse_rfc850YearExactlyFiftyYearsAhead_keptInFuture() {
    assertThat(HttpDates.parse("Saturday, 01-Jun-75 00:00:00 GMT", NOW))
        .contains(Instant.parse("2075-06-01T00:00:00Z"));
  }

  @Test
  void parse_rfc850YearMoreThanFiftyYearsAhead_previousCentury() {
    // RFC 9110 §5.6.7: "more than 50 years in the future" means the past century.
    assertThat(HttpDates.parse("Sunday, 01-Jun-75 00:00:01 GMT", NOW))
        .contains(Instant.parse("1975-06-01T00:00:01Z"));
    assertThat(HttpDates.parse("Thursday, 01-Jan-80 00:00:00 GMT", NOW))
        .contains(Instant.parse("1980-01-01T00:00:00Z"));
  }

  @Test
  void parse_rfc850LeapDayOfYearZero_resolvedBeforeDayCheck() {
    // 29-Feb-00 must be read as 2000 (leap), not rejected as 2100 (not leap).
    assertThat(HttpDates.parse("Tuesday, 29-Feb-00 12:00:00 GMT", NOW))
        .contains(Instant.parse("2000-02-29T12:00:00Z"));
  }

  @Test
  void parse_rfc850NearEndOfCentury_nextCentury() {
    Instant late = Instant.parse("2090-01-01T00:00:00Z");
    assertThat(HttpDates.parse("Friday, 01-Jan-10 00:00:00 GMT", late))
        .contains(Instant.parse("2110-01-01T00:00:00Z"));
  }

  @Test
  void parse_roundTripOfFormat_sameSecond() {
    Instant instant = Instant.parse("2031-07-04T23:05:09.123Z");
    assertThat(HttpDates.parse(HttpDates.format(instant)))
        .contains(Instant.parse("2031-07-04T23:05:09Z"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "garbage",
        "0",
        "1994-11-06T08:49:37Z",
        "sun, 06 nov 1994 08:49:37 gmt",
        "SUN, 06 NOV 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun 06 Nov 1994 08:49:37 GMT",
        "Sun, 06-Nov-1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT ",
        "Sun, 06 Nov 1994 08.49.37 GMT",
        "Sun, 31 Apr 1994 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Xyz 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
        "Sun, \u0660\u0666 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\r\n",
        "Funday, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 UTC",
        "Sunday, 6-Nov-94 08:49:37 GMT",
        "Sunday,06-Nov-94 08:49:37 GMT",
        ",",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 1994 GMT",
        "Xyz Nov  6 08:49:37 1994",
        "Sun Nov  0 08:49:37 1994"
      })
  void parse_malformed_empty(String value) {
    assertThat(HttpDates.parse(value, NOW)).isEmpty();
  }

  @Test
  void parse_null_empty() {
    assertThat(HttpDates.parse(null)).isEqualTo(Optional.empty());
  }
}
