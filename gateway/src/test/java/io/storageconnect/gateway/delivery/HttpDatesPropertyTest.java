package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class HttpDatesPropertyTest {

  /** 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z in epoch seconds. */
  private static final long MIN_SECOND = -62_167_219_200L;

  private static final long MAX_SECOND = 253_402_300_799L;

  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

  @Property(tries = 2000)
  void parse_formattedInstant_sameSecond(
      @ForAll @LongRange(min = MIN_SECOND, max = MAX_SECOND) long second,
      @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
    Instant instant = Instant.ofEpochSecond(second, nanos);

    String formatted = HttpDates.format(instant);

    assertThat(formatted).hasSize(29).endsWith(" GMT");
    assertThat(HttpDates.parse(formatted)).contains(Instant.ofEpochSecond(second));
  }

  @Property(tries = 1000)
  void format_anyInstant_agreesWithJavaTime(
      @ForAll @LongRange(min = 0, max = MAX_SECOND) long second) {
    // java.time's RFC_1123 formatter does not pad the day; this pattern does.
    DateTimeFormatter imf =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    assertThat(HttpDates.format(Instant.ofEpochSecond(second)))
        .isEqualTo(imf.format(Instant.ofEpochSecond(second)));
  }

  @Property(tries = 1000)
  void parse_asctimeOfAnyInstant_sameSecond(
      @ForAll @LongRange(min = 0, max = MAX_SECOND) long second) {
    LocalDateTime time = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);

    assertThat(HttpDates.parse(ASCTIME.format(time))).contains(Instant.ofEpochSecond(second));
  }

  @Property(tries = 3000)
  void parse_anyString_neverThrows(@ForAll("dateLikeStrings") String value) {
    assertThat(HttpDates.parse(value)).isNotNull();
  }

  @Provide
  Arbitrary<String> dateLikeStrings() {
    Arbitrary<String> dateAlphabet =
        Arbitraries.strings()
            .withChars("SunMoTeWdhFriSatJanFebMarAprJunJulAugSepOctNovDecGMTday0123456789 ,:-\t")
            .ofMinLength(20)
            .ofMaxLength(34);
    Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<String> mutated =
        Arbitraries.of(
                "Sun, 06 Nov 1994 08:49:37 GMT",
                "Sunday, 06-Nov-94 08:49:37 GMT",
                "Sun Nov  6 08:49:37 1994")
            .flatMap(
                base ->
                    Arbitraries.integers()
                        .between(0, base.length() - 1)
                        .flatMap(
                            at ->
                                Arbitraries.chars()
                                    .map(c -> base.substring(0, at) + c + base.substring(at + 1))));
    return Arbitraries.oneOf(dateAlphabet, anything, mutated);
  }
}
