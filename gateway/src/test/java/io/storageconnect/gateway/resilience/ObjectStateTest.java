package io.storageconnect.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageconnect.gateway.origin.ObjectMeta;
import io.storageconnect.gateway.resilience.ObjectState.Archived;
import io.storageconnect.gateway.resilience.ObjectState.Readable;
import io.storageconnect.gateway.resilience.ObjectState.RestoredUntil;
import io.storageconnect.gateway.resilience.ObjectState.Restoring;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.WithNull;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectStateTest {

  private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");

  /** A week after {@link #NOW}; {@link #RESTORED} names it. */
  private static final Instant EXPIRY = Instant.parse("2025-06-08T00:00:00Z");

  /** The completed-restore header as S3 sends it, expiring at {@link #EXPIRY}. */
  private static final String RESTORED =
      "ongoing-request=\"false\", expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\"";

  private static final String ONGOING = "ongoing-request=\"true\"";

  // Classification, one test per case of issue 4.

  @Test
  void of_standard_readable() {
    assertThat(state("STANDARD", null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_standardIa_readable() {
    assertThat(state("STANDARD_IA", null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_onezoneIa_readable() {
    assertThat(state("ONEZONE_IA", null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_glacierInstantRetrieval_readable() {
    assertThat(state("GLACIER_IR", null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_intelligentTieringInInstantTier_readable() {
    assertThat(state("INTELLIGENT_TIERING", null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_glacierWithoutRestore_archived() {
    assertThat(state("GLACIER", null, null)).isEqualTo(new Archived("GLACIER"));
  }

  @Test
  void of_deepArchiveWithoutRestore_archived() {
    assertThat(state("DEEP_ARCHIVE", null, null)).isEqualTo(new Archived("DEEP_ARCHIVE"));
  }

  @Test
  void of_glacierRestoreOngoing_restoring() {
    assertThat(state("GLACIER", ONGOING, null)).isEqualTo(new Restoring("GLACIER"));
  }

  @Test
  void of_deepArchiveRestoreOngoing_restoring() {
    assertThat(state("DEEP_ARCHIVE", ONGOING, null)).isEqualTo(new Restoring("DEEP_ARCHIVE"));
  }

  @Test
  void of_glacierRestoredBeforeExpiry_readableUntilExpiry() {
    assertThat(state("GLACIER", RESTORED, null)).isEqualTo(new RestoredUntil(EXPIRY));
  }

  @Test
  void of_deepArchiveRestoredBeforeExpiry_readableUntilExpiry() {
    assertThat(state("DEEP_ARCHIVE", RESTORED, null)).isEqualTo(new RestoredUntil(EXPIRY));
  }

  @Test
  void of_intelligentTieringArchiveAccess_archived() {
    assertThat(state("INTELLIGENT_TIERING", null, "ARCHIVE_ACCESS"))
        .isEqualTo(new Archived("INTELLIGENT_TIERING"));
  }

  @Test
  void of_intelligentTieringDeepArchiveAccess_archived() {
    assertThat(state("INTELLIGENT_TIERING", null, "DEEP_ARCHIVE_ACCESS"))
        .isEqualTo(new Archived("INTELLIGENT_TIERING"));
  }

  // Further storage classes.

  @ParameterizedTest
  @ValueSource(strings = {"REDUCED_REDUNDANCY", "EXPRESS_ONEZONE", "OUTPOSTS", "SNOW"})
  void of_otherInstantClass_readable(String storageClass) {
    assertThat(state(storageClass, null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_unknownFutureClass_readable() {
    assertThat(state("QUANTUM_FROZEN", null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_missingStorageClass_readableAsStandard() {
    assertThat(state(null, null, null)).isEqualTo(new Readable());
    assertThat(state(" ", null, null)).isEqualTo(new Readable());
  }

  @Test
  void of_storageClassInOddCase_classifiedAndReportedUpperCase() {
    assertThat(state(" glacier ", null, null)).isEqualTo(new Archived("GLACIER"));
    assertThat(state("Intelligent_Tiering", null, " archive_access"))
        .isEqualTo(new Archived("INTELLIGENT_TIERING"));
  }

  @Test
  void of_instantClassWithRestoreHeader_readable() {
    assertThat(state("STANDARD", ONGOING, null)).isEqualTo(new Readable());
    assertThat(state("STANDARD", "ongoing-request=\"false\"", null)).isEqualTo(new Readable());
  }

  @Test
  void of_archiveStatusOnNonIntelligentTieringClass_ignored() {
    // S3 sends x-amz-archive-status only for INTELLIGENT_TIERING.
    assertThat(state("STANDARD", null, "ARCHIVE_ACCESS")).isEqualTo(new Readable());
  }

  @Test
  void of_intelligentTieringUnknownArchiveStatus_readable() {
    assertThat(state("INTELLIGENT_TIERING", null, "FREQUENT_ACCESS")).isEqualTo(new Readable());
  }

  @Test
  void of_intelligentTieringArchivedRestoreOngoing_restoring() {
    assertThat(state("INTELLIGENT_TIERING", ONGOING, "DEEP_ARCHIVE_ACCESS"))
        .isEqualTo(new Restoring("INTELLIGENT_TIERING"));
  }

  @Test
  void of_intelligentTieringArchivedRestoreDoneWithoutExpiry_readable() {
    // The restore moved it back to Frequent Access for good.
    assertThat(state("INTELLIGENT_TIERING", "ongoing-request=\"false\"", "ARCHIVE_ACCESS"))
        .isEqualTo(new Readable());
  }

  @Test
  void of_intelligentTieringArchivedRestoreDoneWithExpiry_readableUntilExpiry() {
    assertThat(state("INTELLIGENT_TIERING", RESTORED, "ARCHIVE_ACCESS"))
        .isEqualTo(new RestoredUntil(EXPIRY));
  }

  @Test
  void of_glacierRestoreDoneWithoutExpiry_archived() {
    assertThat(state("GLACIER", "ongoing-request=\"false\"", null))
        .isEqualTo(new Archived("GLACIER"));
  }

  // Expiry of the restored copy.

  @Test
  void of_nowEqualsExpiry_archived() {
    assertThat(ObjectState.of(meta("GLACIER", RESTORED, null), EXPIRY))
        .isEqualTo(new Archived("GLACIER"));
  }

  @Test
  void of_oneNanosecondBeforeExpiry_readableUntilExpiry() {
    assertThat(ObjectState.of(meta("GLACIER", RESTORED, null), EXPIRY.minusNanos(1)))
        .isEqualTo(new RestoredUntil(EXPIRY));
  }

  @Test
  void of_afterExpiry_archived() {
    assertThat(ObjectState.of(meta("DEEP_ARCHIVE", RESTORED, null), EXPIRY.plusSeconds(1)))
        .isEqualTo(new Archived("DEEP_ARCHIVE"));
  }

  @Test
  void of_awsDocumentationExample_restoredUntilItsDateThenArchived() {
    String example = "ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"";
    Instant expiry = Instant.parse("2012-12-21T00:00:00Z");

    assertThat(ObjectState.of(meta("GLACIER", example, null), expiry.minusSeconds(3600)))
        .isEqualTo(new RestoredUntil(expiry));
    assertThat(ObjectState.of(meta("GLACIER", example, null), NOW))
        .isEqualTo(new Archived("GLACIER"));
  }

  // Parsing variants of x-amz-restore that S3-compatible servers and proxies produce.

  @ParameterizedTest
  @ValueSource(
      strings = {
        "expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\", ongoing-request=\"false\"",
        "ongoing-request=\"false\",expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\"",
        "  ongoing-request = \"false\" ,  expiry-date = \"Sun, 08 Jun 2025 00:00:00 GMT\"  ",
        "\tongoing-request=\"false\",\texpiry-date=\" Sun, 08 Jun 2025 00:00:00 GMT \"",
        "ongoing-request=false, expiry-date=Sun, 08 Jun 2025 00:00:00 GMT",
        "expiry-date=Sun, 08 Jun 2025 00:00:00 GMT, ongoing-request=false",
        "Ongoing-Request=\"FALSE\", EXPIRY-DATE=\"Sun, 08 Jun 2025 00:00:00 GMT\"",
        "ongoing-request=\"false\", expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\",",
        ",ongoing-request=\"false\",, expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\"",
        "ongoing-request=false,, expiry-date=Sun, 08 Jun 2025 00:00:00 GMT",
        "ongoing-request=\"false\", expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\", x-tier=\"Bulk\"",
        "x-note=\"a, b\", ongoing-request=\"false\", expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\"",
        "ongoing-request=\"false\", expiry-date=\"Sunday, 08-Jun-25 00:00:00 GMT\"",
        "ongoing-request=\"false\", expiry-date=\"Sun Jun  8 00:00:00 2025\"",
      })
  void of_restoredHeaderVariant_readableUntilExpiry(String header) {
    assertThat(state("GLACIER", header, null)).isEqualTo(new RestoredUntil(EXPIRY));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ongoing-request=\"true\"",
        "ongoing-request=true",
        " ONGOING-REQUEST = \"True\" ",
        "ongoing-request=\"true\",",
        // A running request wins over any date: promise no copy until it finishes.
        "ongoing-request=\"true\", expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\"",
      })
  void of_ongoingHeaderVariant_restoring(String header) {
    assertThat(state("GLACIER", header, null)).isEqualTo(new Restoring("GLACIER"));
  }

  // Headers that cannot be read: no restore, so an archive class stays archived.

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        ",,,",
        "garbage",
        "=",
        "=\"false\"",
        "ongoing-request",
        "ongoing-request=",
        "ongoing-request=\"\"",
        "ongoing-request=\"maybe\"",
        "ongoing-request=\"true",
        "ongoing-request=\"false\" expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\"",
        "ongoing-request=\"fa\"lse\"",
        "ongoing-request=\"true\", ongoing-request=\"false\"",
        "ongoing-request=\"false\", ongoing-request=\"false\"",
        "expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT\"",
        "ongoing-request=\"false\", expiry-date=\"\"",
        "ongoing-request=\"false\", expiry-date=\"tomorrow\"",
        "ongoing-request=\"false\", expiry-date=\"2025-06-08T00:00:00Z\"",
        "ongoing-request=\"false\", expiry-date=\"Sun, 08 Jun 2025 00:00:00 GMT, Mon, 09 Jun\"",
        "ongoing-request=\"false\", expiry-date=\"Sun, 31 Jun 2025 00:00:00 GMT\"",
        "ongoing-request=\"false\", expiry-date=\"Sun, 08 Jun 2025 00:00:00 UTC\"",
        "ongoing\u2010request=\"true\"", // U+2010 HYPHEN, not a hyphen-minus
        "ongoing-request=\"\u0000true\"",
      })
  void of_unreadableHeaderOnArchiveClass_archived(String header) {
    assertThat(state("GLACIER", header, null)).isEqualTo(new Archived("GLACIER"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "ongoing-request=\"true", "\"\"\"", "=,=,="})
  void of_unreadableHeaderOnInstantClass_readable(String header) {
    assertThat(state("STANDARD_IA", header, null)).isEqualTo(new Readable());
  }

  // readable() and construction.

  @Test
  void readable_eachState_trueOnlyWhenAGetWouldSucceed() {
    assertThat(new Readable().readable()).isTrue();
    assertThat(new RestoredUntil(EXPIRY).readable()).isTrue();
    assertThat(new Archived("GLACIER").readable()).isFalse();
    assertThat(new Restoring("GLACIER").readable()).isFalse();
  }

  @Test
  void of_nullArguments_throwNamingTheArgument() {
    assertThatThrownBy(() -> ObjectState.of(null, NOW))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("meta");
    assertThatThrownBy(() -> ObjectState.of(meta("STANDARD", null, null), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("now");
  }

  @Test
  void records_nullComponent_throwNamingTheComponent() {
    assertThatThrownBy(() -> new Archived(null)).hasMessage("storageClass");
    assertThatThrownBy(() -> new Restoring(null)).hasMessage("storageClass");
    assertThatThrownBy(() -> new RestoredUntil(null)).hasMessage("expiry");
  }

  // Properties over open-ended header values.

  @Property(tries = 3000)
  void of_arbitraryStrings_neverThrows(
      @ForAll @WithNull String storageClass,
      @ForAll @WithNull String restore,
      @ForAll @WithNull String archiveStatus) {
    ObjectState state = ObjectState.of(meta(storageClass, restore, archiveStatus), NOW);

    assertThat(state).isNotNull();
    assertThat(state.readable())
        .isEqualTo(state instanceof Readable || state instanceof RestoredUntil);
  }

  @Property(tries = 3000)
  void of_restoreLikeHeaderOnGlacier_neverReadableWithoutFutureExpiry(
      @ForAll("restoreLike") String restore) {
    ObjectState state = ObjectState.of(meta("GLACIER", restore, null), NOW);

    assertThat(state).isNotInstanceOf(Readable.class);
    if (state instanceof RestoredUntil restored) {
      assertThat(restored.expiry()).isAfter(NOW);
    }
  }

  @Property(tries = 1000)
  void of_restoreLikeHeaderOnStandard_readable(@ForAll("restoreLike") String restore) {
    assertThat(ObjectState.of(meta("STANDARD", restore, null), NOW)).isEqualTo(new Readable());
  }

  /** Headers assembled from the pieces the parser cares about, so most runs reach deep branches. */
  @Provide
  Arbitrary<String> restoreLike() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(
                "ongoing-request",
                "expiry-date",
                "Ongoing-Request",
                "=",
                "\"",
                ",",
                " ",
                "\t",
                "true",
                "false",
                "\"true\"",
                "\"false\"",
                "\"Sun, 08 Jun 2025 00:00:00 GMT\"",
                "Sun, 08 Jun 2025 00:00:00 GMT",
                "\"Fri, 21 Dec 2012 00:00:00 GMT\"",
                "\"Fri, 31 Dec 9999 23:59:59 GMT\""),
            Arbitraries.strings().ofMaxLength(6));
    return piece.list().ofMaxSize(12).map(pieces -> String.join("", pieces));
  }

  private static ObjectState state(String storageClass, String restore, String archiveStatus) {
    return ObjectState.of(meta(storageClass, restore, archiveStatus), NOW);
  }

  private static ObjectMeta meta(String storageClass, String restore, String archiveStatus) {
    return new ObjectMeta(
        1024,
        "\"etag\"",
        Instant.parse("2024-01-01T00:00:00Z"),
        "video/mp4",
        storageClass,
        restore,
        archiveStatus);
  }
}
