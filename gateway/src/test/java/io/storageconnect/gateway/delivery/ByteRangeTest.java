package io.storageconnect.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

  private static final long FIVE_GIB = 5L * 1024 * 1024 * 1024;

  @Test
  void constructor_negativeFirst_throws() {
    assertThatThrownBy(() -> new ByteRange(-1, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("first: -1 (expected: >= 0)");
  }

  @Test
  void constructor_lastBeforeFirst_throws() {
    assertThatThrownBy(() -> new ByteRange(9, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("last: 5");
  }

  @Test
  void constructor_lastAtLongMax_throwsBecauseLengthWouldOverflow() {
    assertThatThrownBy(() -> new ByteRange(0, Long.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_largestAllowed_lengthIsLongMax() {
    assertThat(new ByteRange(0, Long.MAX_VALUE - 1).length()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void length_singleByte_isOne() {
    assertThat(new ByteRange(7, 7).length()).isEqualTo(1);
  }

  @Test
  void length_offsetsBeyondFourGib_exact() {
    ByteRange range = new ByteRange(4_831_838_208L, FIVE_GIB - 1);
    assertThat(range.length()).isEqualTo(536_870_912L);
  }

  @Test
  void contentRange_firstHundredBytes_formatsRfc9110Example() {
    assertThat(new ByteRange(0, 99).contentRange(100)).isEqualTo("bytes 0-99/100");
  }

  @Test
  void contentRange_sixtyFourBitOffsets_formatsAllDigits() {
    assertThat(new ByteRange(4_831_838_208L, 4_831_838_307L).contentRange(FIVE_GIB))
        .isEqualTo("bytes 4831838208-4831838307/5368709120");
  }

  @Test
  void contentRange_completeLengthNotBeyondLast_throws() {
    assertThatThrownBy(() -> new ByteRange(0, 99).contentRange(99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("completeLength: 99");
  }

  @Test
  void rangeHeader_closedRange_formatsBytesEquals() {
    assertThat(new ByteRange(0, 99).rangeHeader()).isEqualTo("bytes=0-99");
    assertThat(new ByteRange(4_831_838_208L, 4_831_838_307L).rangeHeader())
        .isEqualTo("bytes=4831838208-4831838307");
  }

  @Test
  void equals_sameOffsets_equal() {
    assertThat(new ByteRange(3, 4))
        .isEqualTo(new ByteRange(3, 4))
        .isNotEqualTo(new ByteRange(3, 5));
  }
}
