package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.delivery.RangeSelection.Partial;
import io.storageconnect.gateway.delivery.RangeSelection.Unsatisfiable;
import io.storageconnect.gateway.delivery.RangeSelection.Whole;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class RangeSelectionPropertyTest {

  /** One well-formed range-spec, kept as data so that tests can compute what it asks for. */
  record Spec(Long first, Long last, Long suffix) {

    String text() {
      if (suffix != null) {
        return "-" + suffix;
      }
      return first + "-" + (last == null ? "" : last.toString());
    }

    /** The bytes it selects on its own, or null (RFC 9110 §14.1.3). */
    ByteRange resolve(long size) {
      if (suffix != null) {
        return suffix == 0 || size == 0
            ? null
            : new ByteRange(Math.max(0, size - suffix), size - 1);
      }
      if (first >= size) {
        return null;
      }
      return new ByteRange(first, last == null || last >= size ? size - 1 : last);
    }
  }

  @Provide
  Arbitrary<Spec> specs() {
    Arbitrary<Long> position = Arbitraries.longs().between(0, 5_000_000);
    Arbitrary<Spec> closed =
        Combinators.combine(position, Arbitraries.longs().between(0, 100_000))
            .as((first, length) -> new Spec(first, first + length, null));
    Arbitrary<Spec> open = position.map(first -> new Spec(first, null, null));
    Arbitrary<Spec> suffix =
        Arbitraries.longs().between(0, 6_000_000).map(n -> new Spec(null, null, n));
    return Arbitraries.frequencyOf(Tuple.of(6, closed), Tuple.of(2, open), Tuple.of(2, suffix));
  }

  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> noise =
        Arbitraries.strings().withChars("bytes=0123456789-, \t+xB;").ofMaxLength(40);
    Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(60);
    Arbitrary<String> wellFormed =
        specs().list().ofMinSize(1).ofMaxSize(12).map(RangeSelectionPropertyTest::header);
    return Arbitraries.oneOf(noise, anything, wellFormed);
  }

  private static String header(List<Spec> specs) {
    List<String> texts = new ArrayList<>();
    for (Spec spec : specs) {
      texts.add(spec.text());
    }
    return "bytes=" + String.join(",", texts);
  }

  @Property(tries = 2000)
  void of_anyHeader_neverThrowsAndPartialKeepsInvariants(
      @ForAll("headers") String header,
      @ForAll @LongRange(min = 0, max = 10_000_000) long size,
      @ForAll @IntRange(min = 1, max = 20) int maxRanges) {
    RangeSelection selection = RangeSelection.of(header, size, maxRanges);

    assertThat(selection).isNotNull();
    if (selection instanceof Partial partial) {
      List<ByteRange> ranges = partial.ranges();
      assertThat(ranges).isNotEmpty().hasSizeLessThanOrEqualTo(maxRanges);
      for (int i = 0; i < ranges.size(); i++) {
        assertThat(ranges.get(i).last()).isLessThan(size);
        if (i > 0) {
          // Coalesced: parts are separated by more than the merge gap.
          assertThat(ranges.get(i).first() - ranges.get(i - 1).last())
              .isGreaterThan(1 + RangeHeaderParser.MERGE_GAP);
        }
      }
      if (ranges.size() > 1) {
        long total = ranges.stream().mapToLong(ByteRange::length).sum();
        assertThat(total + RangeHeaderParser.PART_OVERHEAD * ranges.size()).isLessThan(size);
      }
    }
  }

  @Property(tries = 1000)
  void of_singleSpec_matchesRfcDefinition(
      @ForAll("specs") Spec spec, @ForAll @LongRange(min = 0, max = 6_000_000) long size) {
    RangeSelection selection = RangeSelection.of("bytes=" + spec.text(), size, 1);

    ByteRange expected = spec.resolve(size);
    if (expected != null) {
      assertThat(selection).isEqualTo(new Partial(List.of(expected)));
    } else if (size == 0 && spec.suffix() != null && spec.suffix() > 0) {
      assertThat(selection).isEqualTo(new Whole());
    } else {
      assertThat(selection).isEqualTo(new Unsatisfiable());
    }
  }

  @Property(tries = 1000)
  void of_wellFormedSpecs_partialCoversEveryRequestedByte(
      @ForAll @Size(min = 1, max = 12) List<@From("specs") Spec> specs,
      @ForAll @LongRange(min = 1, max = 6_000_000) long size) {
    RangeSelection selection = RangeSelection.of(header(specs), size, 100);

    List<ByteRange> requested = new ArrayList<>();
    for (Spec spec : specs) {
      ByteRange range = spec.resolve(size);
      if (range != null) {
        requested.add(range);
      }
    }
    if (requested.isEmpty()) {
      assertThat(selection).isEqualTo(new Unsatisfiable());
      return;
    }
    assertThat(selection).isNotInstanceOf(Unsatisfiable.class);
    if (selection instanceof Partial partial) {
      for (ByteRange wanted : requested) {
        assertThat(partial.ranges())
            .as("some part contains %s", wanted)
            .anySatisfy(
                part -> {
                  assertThat(part.first()).isLessThanOrEqualTo(wanted.first());
                  assertThat(part.last()).isGreaterThanOrEqualTo(wanted.last());
                });
      }
    }
  }

  @Property(tries = 500)
  void of_specsReorderedOrSpacedOut_sameSelection(
      @ForAll @Size(min = 1, max = 12) List<@From("specs") Spec> specs,
      @ForAll @LongRange(min = 0, max = 6_000_000) long size,
      @ForAll long seed) {
    List<String> shuffled = new ArrayList<>();
    for (Spec spec : specs) {
      shuffled.add(spec.text());
    }
    Collections.shuffle(shuffled, new Random(seed));
    String spaced = "bytes=" + String.join(" ,\t, ", shuffled);

    assertThat(RangeSelection.of(spaced, size, 5))
        .isEqualTo(RangeSelection.of(header(specs), size, 5));
  }

  @Property(tries = 500)
  void of_oneInvalidSpecAmongValid_whole(
      @ForAll @Size(min = 0, max = 6) List<@From("specs") Spec> specs,
      @ForAll @IntRange(min = 0, max = 6) int position,
      @ForAll("invalidSpecs") String invalid) {
    List<String> texts = new ArrayList<>();
    for (Spec spec : specs) {
      texts.add(spec.text());
    }
    texts.add(Math.min(position, texts.size()), invalid);

    assertThat(RangeSelection.of("bytes=" + String.join(",", texts), 1_000_000, 10))
        .isEqualTo(new Whole());
  }

  @Provide
  Arbitrary<String> invalidSpecs() {
    return Arbitraries.of(
        "abc",
        "5-1",
        "1-2-3",
        "+1-2",
        "--5",
        "-",
        "1 -2",
        "0x1-2",
        "1-2 3",
        "-5-",
        "1.0-2",
        "\u0661-2");
  }
}
