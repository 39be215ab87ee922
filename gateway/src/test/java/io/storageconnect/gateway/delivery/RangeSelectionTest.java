package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageconnect.gateway.delivery.RangeSelection.Partial;
import io.storageconnect.gateway.delivery.RangeSelection.Unsatisfiable;
import io.storageconnect.gateway.delivery.RangeSelection.Whole;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RangeSelectionTest {

  private static final long FIVE_GIB = 5L * 1024 * 1024 * 1024;
  private static final int MAX_RANGES = 10;

  private static RangeSelection select(String header, long size) {
    return RangeSelection.of(header, size, MAX_RANGES);
  }

  private static Partial partial(long... firstLastPairs) {
    List<ByteRange> ranges = new ArrayList<>();
    for (int i = 0; i < firstLastPairs.length; i += 2) {
      ranges.add(new ByteRange(firstLastPairs[i], firstLastPairs[i + 1]));
    }
    return new Partial(ranges);
  }

  // --- absent, unknown or invalid: ignore the header (RFC 9110 §14.2) ---

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t", "   \t "})
  void of_blankHeader_whole(String header) {
    assertThat(select(header, 100)).isEqualTo(new Whole());
  }

  @Test
  void of_nullHeader_whole() {
    assertThat(select(null, 100)).isEqualTo(new Whole());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "items=0-1",
        "byte=0-1",
        "bytess=0-1",
        "bytes 0-1",
        "bytes",
        "=0-1",
        "bytes =0-1",
        "none",
        "0-1",
        "b=0-1"
      })
  void of_unknownUnitOrNoEquals_whole(String header) {
    assertThat(select(header, 100)).isEqualTo(new Whole());
  }

  @ParameterizedTest
  @ValueSource(strings = {"BYTES=0-9", "Bytes=0-9", "bYtEs=0-9"})
  void of_unitInOtherCase_parsed(String header) {
    assertThat(select(header, 100)).isEqualTo(partial(0, 9));
  }

  @Test
  void of_unitWithNonAsciiLetterThatUppercasesToAscii_whole() {
    // U+017F LATIN SMALL LETTER LONG S upper-cases to 'S'; only ASCII case folding applies.
    assertThat(select("byte\u017f=0-9", 100)).isEqualTo(new Whole());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bytes=",
        "bytes=,",
        "bytes= , ,",
        "bytes=abc",
        "bytes=5-1",
        "bytes=9-5",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes=1-+2",
        "bytes=-+5",
        "bytes=+5",
        "bytes=--5",
        "bytes=-",
        "bytes=1 0-20",
        "bytes=10-2 0",
        "bytes=0 -1",
        "bytes=0- 1",
        "bytes=0-1 2-3",
        "bytes=0x10-20",
        "bytes=1.5-2",
        "bytes=1e3-",
        "bytes=0-1;",
        "bytes=0-1,abc",
        "bytes=0-1,5-1",
        "bytes=0-1,-",
        "bytes=\u0663-5",
        "bytes=0-\uff15",
        "bytes==0-1",
        "bytes=0-1=",
        "bytes=0-1\r\n",
        "bytes=-5-",
        "bytes=5--"
      })
  void of_invalidRangeSpec_wholeHeaderIgnored(String header) {
    assertThat(select(header, 100)).isEqualTo(new Whole());
  }

  // --- the examples of the brief and RFC 9110 §14.1.2, on 100 bytes ---

  @Test
  void of_openEndedFromZero_allBytes() {
    assertThat(select("bytes=0-", 100)).isEqualTo(partial(0, 99));
  }

  @Test
  void of_firstByteOnly_oneByte() {
    assertThat(select("bytes=0-0", 100)).isEqualTo(partial(0, 0));
  }

  @Test
  void of_suffixShorterThanSize_lastBytes() {
    assertThat(select("bytes=-20", 100)).isEqualTo(partial(80, 99));
  }

  @Test
  void of_suffixLongerThanSize_allBytes() {
    assertThat(select("bytes=-150", 100)).isEqualTo(partial(0, 99));
  }

  @Test
  void of_suffixEqualToSize_allBytes() {
    assertThat(select("bytes=-100", 100)).isEqualTo(partial(0, 99));
  }

  @Test
  void of_lastBeyondEnd_clampedToLastByte() {
    assertThat(select("bytes=50-1000", 100)).isEqualTo(partial(50, 99));
  }

  @Test
  void of_lastExactlyLastByte_unchanged() {
    assertThat(select("bytes=50-99", 100)).isEqualTo(partial(50, 99));
  }

  @Test
  void of_firstAtSize_unsatisfiable() {
    assertThat(select("bytes=100-", 100)).isEqualTo(new Unsatisfiable());
  }

  @Test
  void of_firstAtLastByte_oneByte() {
    assertThat(select("bytes=99-", 100)).isEqualTo(partial(99, 99));
  }

  @Test
  void of_adjacentRanges_mergedIntoOne() {
    assertThat(select("bytes=0-1,2-3", 100)).isEqualTo(partial(0, 3));
  }

  @Test
  void of_rangeAtFourAndAHalfGib_exactRange() {
    assertThat(select("bytes=4831838208-4831838307", FIVE_GIB))
        .isEqualTo(partial(4_831_838_208L, 4_831_838_307L));
  }

  @Test
  void of_openEndedAtFourAndAHalfGib_toLastByte() {
    assertThat(select("bytes=4831838208-", FIVE_GIB))
        .isEqualTo(partial(4_831_838_208L, FIVE_GIB - 1));
  }

  @Test
  void of_suffixOnFiveGib_lastBytes() {
    assertThat(select("bytes=-1000", FIVE_GIB)).isEqualTo(partial(FIVE_GIB - 1000, FIVE_GIB - 1));
  }

  // --- list syntax (RFC 9110 §5.6.1) ---

  @Test
  void of_owsAroundCommas_accepted() {
    assertThat(select("bytes=0-9 ,\t 5000-5009", 1_000_000)).isEqualTo(partial(0, 9, 5000, 5009));
  }

  @Test
  void of_emptyListElements_ignored() {
    assertThat(select("bytes=0-1,,5000-5009", 1_000_000)).isEqualTo(partial(0, 1, 5000, 5009));
    assertThat(select("bytes=,0-1, ,", 1_000_000)).isEqualTo(partial(0, 1));
  }

  @Test
  void of_whitespaceAroundWholeValue_ignored() {
    assertThat(select(" \tbytes=0-9 \t", 100)).isEqualTo(partial(0, 9));
  }

  @Test
  void of_whitespaceRightAfterEquals_accepted() {
    assertThat(select("bytes= 0-9", 100)).isEqualTo(partial(0, 9));
  }

  @Test
  void of_leadingZeros_sameNumbers() {
    assertThat(select("bytes=000010-000020", 100)).isEqualTo(partial(10, 20));
  }

  @Test
  void of_manyLeadingZeros_noOverflow() {
    assertThat(select("bytes=0000000000000000000000000010-0000000000000000000000000020", 100))
        .isEqualTo(partial(10, 20));
  }

  // --- numbers beyond a long ---

  @Test
  void of_lastPosOverflowsLong_clampedToEnd() {
    assertThat(select("bytes=10-99999999999999999999999", 100)).isEqualTo(partial(10, 99));
  }

  @Test
  void of_lastPosIsLongMax_clampedToEnd() {
    assertThat(select("bytes=0-9223372036854775807", 100)).isEqualTo(partial(0, 99));
  }

  @Test
  void of_firstPosOverflowsLong_unsatisfiable() {
    assertThat(select("bytes=99999999999999999999999-", 100)).isEqualTo(new Unsatisfiable());
    assertThat(select("bytes=9223372036854775808-", 100)).isEqualTo(new Unsatisfiable());
  }

  @Test
  void of_bothPositionsOverflowInOrder_unsatisfiable() {
    assertThat(select("bytes=99999999999999999998-99999999999999999999", 100))
        .isEqualTo(new Unsatisfiable());
  }

  @Test
  void of_bothPositionsOverflowReversed_whole() {
    // last < first is invalid even when neither fits in a long.
    assertThat(select("bytes=99999999999999999999-99999999999999999998", 100))
        .isEqualTo(new Whole());
  }

  @Test
  void of_firstPosOverflowsAndLastSmall_whole() {
    assertThat(select("bytes=99999999999999999999-5", 100)).isEqualTo(new Whole());
  }

  @Test
  void of_suffixLengthOverflowsLong_allBytes() {
    assertThat(select("bytes=-99999999999999999999999", 100)).isEqualTo(partial(0, 99));
  }

  @Test
  void of_firstPosOverflowAmongSatisfiable_dropped() {
    assertThat(select("bytes=99999999999999999999-,0-9", 100)).isEqualTo(partial(0, 9));
  }

  // --- satisfiability (RFC 9110 §14.1.3) ---

  @Test
  void of_zeroSuffix_unsatisfiable() {
    assertThat(select("bytes=-0", 100)).isEqualTo(new Unsatisfiable());
    assertThat(select("bytes=-000", 100)).isEqualTo(new Unsatisfiable());
  }

  @Test
  void of_zeroSuffixWithSatisfiable_zeroSuffixDropped() {
    assertThat(select("bytes=-0,0-0", 100)).isEqualTo(partial(0, 0));
  }

  @Test
  void of_someSpecsBeyondEnd_onlySatisfiableKept() {
    assertThat(select("bytes=0-9,200-300,150-", 100)).isEqualTo(partial(0, 9));
  }

  @Test
  void of_allSpecsBeyondEnd_unsatisfiable() {
    assertThat(select("bytes=100-200,150-,1000-1001", 100)).isEqualTo(new Unsatisfiable());
  }

  @Test
  void of_emptyRepresentationIntRange_unsatisfiable() {
    assertThat(select("bytes=0-", 0)).isEqualTo(new Unsatisfiable());
    assertThat(select("bytes=0-0", 0)).isEqualTo(new Unsatisfiable());
  }

  @Test
  void of_emptyRepresentationNonZeroSuffix_whole() {
    assertThat(select("bytes=-5", 0)).isEqualTo(new Whole());
    assertThat(select("bytes=0-0,-1", 0)).isEqualTo(new Whole());
    assertThat(select("bytes=-99999999999999999999", 0)).isEqualTo(new Whole());
  }

  @Test
  void of_emptyRepresentationZeroSuffix_unsatisfiable() {
    assertThat(select("bytes=-0", 0)).isEqualTo(new Unsatisfiable());
  }

  @Test
  void of_oneByteRepresentation_singleByte() {
    assertThat(select("bytes=0-0", 1)).isEqualTo(partial(0, 0));
    assertThat(select("bytes=-1", 1)).isEqualTo(partial(0, 0));
    assertThat(select("bytes=-5", 1)).isEqualTo(partial(0, 0));
    assertThat(select("bytes=1-", 1)).isEqualTo(new Unsatisfiable());
  }

  // --- coalescing and the cost rules (RFC 9110 §14.6) ---

  @Test
  void of_gapOfEightyBytes_merged() {
    // 100..179 is a gap of 80 bytes: next.first (180) <= last (99) + 1 + 80.
    assertThat(select("bytes=0-99,180-199", 1_000_000)).isEqualTo(partial(0, 199));
  }

  @Test
  void of_gapOfEightyOneBytes_keptApart() {
    assertThat(select("bytes=0-99,181-199", 1_000_000)).isEqualTo(partial(0, 99, 181, 199));
  }

  @Test
  void of_unsortedOverlappingRanges_sortedAndMerged() {
    assertThat(select("bytes=500000-500100,0-10,500050-500700,5-20", 1_000_000))
        .isEqualTo(partial(0, 20, 500_000, 500_700));
  }

  @Test
  void of_rangeContainedInAnother_absorbed() {
    assertThat(select("bytes=0-1000,10-20", 1_000_000)).isEqualTo(partial(0, 1000));
  }

  @Test
  void of_duplicateRanges_mergedIntoOne() {
    assertThat(select("bytes=0-10,0-10,0-10", 1_000_000)).isEqualTo(partial(0, 10));
  }

  @Test
  void of_suffixOverlappingIntRange_merged() {
    assertThat(select("bytes=999900-999950,-100", 1_000_000)).isEqualTo(partial(999_900, 999_999));
  }

  @Test
  void of_moreRangesThanMax_whole() {
    String header = "bytes=0-9,10000-10009,20000-20009";
    assertThat(RangeSelection.of(header, 1_000_000, 2)).isEqualTo(new Whole());
    assertThat(RangeSelection.of(header, 1_000_000, 3))
        .isEqualTo(partial(0, 9, 10_000, 10_009, 20_000, 20_009));
  }

  @Test
  void of_moreSpecsThanMaxButCoalescedFewer_partial() {
    assertThat(RangeSelection.of("bytes=0-9,10-19,20-29", 1_000_000, 1)).isEqualTo(partial(0, 29));
  }

  @Test
  void of_singleRangeWithMaxOne_partial() {
    assertThat(RangeSelection.of("bytes=5-9", 100, 1)).isEqualTo(partial(5, 9));
  }

  @Test
  void of_partsPlusOverheadBelowSize_partial() {
    // 200 bytes of ranges + 2 * 200 bytes of overhead = 600 < 601.
    assertThat(select("bytes=0-99,500-599", 601)).isEqualTo(partial(0, 99, 500, 599));
  }

  @Test
  void of_partsPlusOverheadEqualToSize_whole() {
    assertThat(select("bytes=0-99,500-599", 600)).isEqualTo(new Whole());
  }

  @Test
  void of_twoSmallRangesOnSmallObject_whole() {
    assertThat(select("bytes=0-0,99-99", 100)).isEqualTo(new Whole());
  }

  @Test
  void of_singleRangeCoveringEverything_stillPartial() {
    // The overhead rule is about multipart framing; one range is a plain 206.
    assertThat(select("bytes=0-99", 100)).isEqualTo(partial(0, 99));
  }

  // --- the DoS guard on range-spec count (RFC 9110 §14.6) ---

  private static String farApartSpecs(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> (i * 1000L) + "-" + (i * 1000L + 9))
        .collect(Collectors.joining(",", "bytes=", ""));
  }

  @Test
  void of_hundredSpecs_partialWithHundredRanges() {
    RangeSelection selection = RangeSelection.of(farApartSpecs(100), 1_000_000_000, 100);
    assertThat(selection).isInstanceOf(Partial.class);
    assertThat(((Partial) selection).ranges()).hasSize(100);
  }

  @Test
  void of_hundredAndOneSpecs_whole() {
    assertThat(RangeSelection.of(farApartSpecs(101), 1_000_000_000, 1000)).isEqualTo(new Whole());
  }

  @Test
  void of_hundredAndOneIdenticalSpecs_wholeBeforeCoalescing() {
    String header = "bytes=" + String.join(",", java.util.Collections.nCopies(101, "0-0"));
    assertThat(RangeSelection.of(header, 100, 10)).isEqualTo(new Whole());
  }

  @Test
  void of_manyEmptyElements_notCountedAsSpecs() {
    String header = "bytes=" + ",".repeat(500) + "0-9" + ",".repeat(500);
    assertThat(select(header, 100)).isEqualTo(partial(0, 9));
  }

  // --- argument checks and Partial's invariants ---

  @Test
  void of_negativeSize_throws() {
    assertThatThrownBy(() -> RangeSelection.of("bytes=0-1", -1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size: -1 (expected: >= 0)");
  }

  @Test
  void of_maxRangesZero_throws() {
    assertThatThrownBy(() -> RangeSelection.of("bytes=0-1", 100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRanges: 0 (expected: >= 1)");
  }

  @Test
  void partial_emptyList_throws() {
    assertThatThrownBy(() -> new Partial(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void partial_overlappingRanges_throws() {
    assertThatThrownBy(() -> partial(0, 10, 10, 20)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void partial_descendingRanges_throws() {
    assertThatThrownBy(() -> partial(50, 60, 0, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void partial_mutableInput_copiedAndImmutable() {
    List<ByteRange> input = new ArrayList<>(List.of(new ByteRange(0, 1)));
    Partial partial = new Partial(input);
    input.add(new ByteRange(5, 6));
    assertThat(partial.ranges()).containsExactly(new ByteRange(0, 1));
    assertThatThrownBy(() -> partial.ranges().add(new ByteRange(9, 9)))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
