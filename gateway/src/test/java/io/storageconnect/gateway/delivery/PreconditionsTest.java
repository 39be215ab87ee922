package io.storageconnect.gateway.delivery;

import static io.storageconnect.gateway.delivery.Precondition.NOT_MODIFIED;
import static io.storageconnect.gateway.delivery.Precondition.PRECONDITION_FAILED;
import static io.storageconnect.gateway.delivery.Precondition.PROCEED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreconditionsTest {

  private static final String ETAG = "\"abc\"";
  private static final String WEAK_ETAG = "W/\"abc\"";

  /** Last-Modified with a fraction, as S3 and file systems report it. */
  private static final Instant MODIFIED = Instant.parse("1994-11-06T08:49:37.900Z");

  private static final String AT_MODIFIED = "Sun, 06 Nov 1994 08:49:37 GMT";
  private static final String BEFORE_MODIFIED = "Sun, 06 Nov 1994 08:49:36 GMT";
  private static final String AFTER_MODIFIED = "Sun, 06 Nov 1994 08:49:38 GMT";

  private static Precondition ifMatch(String value) {
    return Preconditions.evaluate(value, null, null, null, ETAG, MODIFIED);
  }

  private static Precondition ifNoneMatch(String value, String etag) {
    return Preconditions.evaluate(null, value, null, null, etag, MODIFIED);
  }

  private static Precondition ifModifiedSince(String value, Instant lastModified) {
    return Preconditions.evaluate(null, null, value, null, ETAG, lastModified);
  }

  private static Precondition ifUnmodifiedSince(String value, Instant lastModified) {
    return Preconditions.evaluate(null, null, null, value, ETAG, lastModified);
  }

  @Test
  void evaluate_noConditionalHeaders_proceed() {
    assertThat(Preconditions.evaluate(null, null, null, null, ETAG, MODIFIED)).isEqualTo(PROCEED);
    assertThat(Preconditions.evaluate(null, null, null, null, null, null)).isEqualTo(PROCEED);
  }

  @Test
  void evaluate_blankHeaders_treatedAsAbsent() {
    assertThat(Preconditions.evaluate("", " ", "\t", "", ETAG, MODIFIED)).isEqualTo(PROCEED);
  }

  @Nested
  class IfMatch {

    @Test
    void evaluate_ifMatchSameStrongTag_proceed() {
      assertThat(ifMatch("\"abc\"")).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_ifMatchStar_proceed() {
      assertThat(ifMatch("*")).isEqualTo(PROCEED);
      assertThat(ifMatch(" * ")).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_ifMatchStarWithoutEtag_proceedBecauseRepresentationExists() {
      assertThat(Preconditions.evaluate("*", null, null, null, null, MODIFIED)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_ifMatchListContainingTag_proceed() {
      assertThat(ifMatch("\"x\", \"abc\", \"y\"")).isEqualTo(PROCEED);
      assertThat(ifMatch("\"x\",\"abc\"")).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_ifMatchOtherTag_preconditionFailed() {
      assertThat(ifMatch("\"xyz\"")).isEqualTo(PRECONDITION_FAILED);
    }

    @Test
    void evaluate_ifMatchWeakRequestTag_preconditionFailed() {
      // The strong comparison never matches a weak tag (RFC 9110 §8.8.3.2).
      assertThat(ifMatch("W/\"abc\"")).isEqualTo(PRECONDITION_FAILED);
    }

    @Test
    void evaluate_ifMatchAgainstWeakEtag_preconditionFailed() {
      assertThat(Preconditions.evaluate("\"abc\"", null, null, null, WEAK_ETAG, MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
      assertThat(Preconditions.evaluate("W/\"abc\"", null, null, null, WEAK_ETAG, MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
    }

    @Test
    void evaluate_ifMatchWithoutEtag_preconditionFailed() {
      assertThat(Preconditions.evaluate("\"abc\"", null, null, null, null, MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "\"abc", "'abc'", "w/\"abc\"", "\"abc\" junk", "*, \"x\""})
    void evaluate_ifMatchGarbage_preconditionFailedWithoutThrowing(String value) {
      assertThat(ifMatch(value)).isEqualTo(PRECONDITION_FAILED);
    }

    @Test
    void evaluate_ifMatchGarbageElementBeforeMatch_skippedAndMatched() {
      assertThat(ifMatch("junk, \"abc\"")).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_ifMatchOkAndUnmodifiedSinceFails_proceedBecauseIfMatchWins() {
      // Step 2 of RFC 9110 §13.2.2 only applies when If-Match is absent.
      assertThat(Preconditions.evaluate(ETAG, null, null, BEFORE_MODIFIED, ETAG, MODIFIED))
          .isEqualTo(PROCEED);
    }

    @Test
    void evaluate_ifMatchFailsAndNoneMatchMatches_preconditionFailedFirst() {
      assertThat(Preconditions.evaluate("\"xyz\"", ETAG, null, null, ETAG, MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
    }

    @Test
    void evaluate_ifMatchOkAndNoneMatchMatches_notModified() {
      assertThat(Preconditions.evaluate(ETAG, ETAG, null, null, ETAG, MODIFIED))
          .isEqualTo(NOT_MODIFIED);
    }
  }

  @Nested
  class IfUnmodifiedSince {

    @Test
    void evaluate_modifiedAfterDate_preconditionFailed() {
      assertThat(ifUnmodifiedSince(BEFORE_MODIFIED, MODIFIED)).isEqualTo(PRECONDITION_FAILED);
    }

    @Test
    void evaluate_modifiedInSameSecond_proceed() {
      // Last-Modified is truncated to the second: .900 is not after :37.
      assertThat(ifUnmodifiedSince(AT_MODIFIED, MODIFIED)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_modifiedBeforeDate_proceed() {
      assertThat(ifUnmodifiedSince(AFTER_MODIFIED, MODIFIED)).isEqualTo(PROCEED);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"yesterday", "1994-11-06T08:49:36Z", "Sun, 06 Nov 1994 08:49:36 GMT, x"})
    void evaluate_invalidDate_ignored(String value) {
      assertThat(ifUnmodifiedSince(value, MODIFIED)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_noLastModified_ignored() {
      assertThat(ifUnmodifiedSince(BEFORE_MODIFIED, null)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_unmodifiedSinceFailsAndNoneMatchMatches_preconditionFailedFirst() {
      assertThat(Preconditions.evaluate(null, ETAG, null, BEFORE_MODIFIED, ETAG, MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
    }

    @Test
    void evaluate_obsoleteDateFormats_evaluated() {
      assertThat(ifUnmodifiedSince("Sunday, 06-Nov-94 08:49:36 GMT", MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
      assertThat(ifUnmodifiedSince("Sun Nov  6 08:49:36 1994", MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
    }
  }

  @Nested
  class IfNoneMatch {

    @Test
    void evaluate_sameTag_notModified() {
      assertThat(ifNoneMatch("\"abc\"", ETAG)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_weakRequestTagAgainstStrongEtag_notModified() {
      // The weak comparison ignores W/ (RFC 9110 §8.8.3.2).
      assertThat(ifNoneMatch("W/\"abc\"", ETAG)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_strongRequestTagAgainstWeakEtag_notModified() {
      assertThat(ifNoneMatch("\"abc\"", WEAK_ETAG)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_star_notModified() {
      assertThat(ifNoneMatch("*", ETAG)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_starWithoutEtag_notModified() {
      assertThat(ifNoneMatch("*", null)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_specificTagWithoutEtag_proceed() {
      assertThat(ifNoneMatch("\"abc\"", null)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_listContainingTag_notModified() {
      assertThat(ifNoneMatch("\"x\", W/\"y\", \"abc\"", ETAG)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_listWithOwsAndEmptyElements_notModified() {
      assertThat(ifNoneMatch(" , \"x\" ,,\t\"abc\" ,", ETAG)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_commaInsideTag_partOfTheTag() {
      // etagc allows ',' (RFC 9110 §8.8.3), so the list cannot be split on commas blindly.
      assertThat(ifNoneMatch("\"x\", \"a,b\"", "\"a,b\"")).isEqualTo(NOT_MODIFIED);
      assertThat(ifNoneMatch("\"a,b\"", "\"a\"")).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_otherTag_proceed() {
      assertThat(ifNoneMatch("\"xyz\"", ETAG)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_tagIsCaseSensitive_proceed() {
      assertThat(ifNoneMatch("\"ABC\"", ETAG)).isEqualTo(PROCEED);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "abc",
          "\"abc",
          "abc\"",
          "W/abc",
          "w/\"abc\"",
          "\"ab\"c\"",
          "\"a\u0001bc\"",
          "\u00ff"
        })
    void evaluate_garbage_noMatchAndNoThrow(String value) {
      assertThat(ifNoneMatch(value, ETAG)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_unquotedResourceEtag_neverMatchesSpecificTags() {
      assertThat(ifNoneMatch("\"abc\"", "abc")).isEqualTo(PROCEED);
      assertThat(ifNoneMatch("*", "abc")).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_obsTextInTag_compared() {
      assertThat(ifNoneMatch("\"caf\u00e9\"", "\"caf\u00e9\"")).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_noMatchAndModifiedSinceWouldMatch_proceedBecauseModifiedSinceIgnored() {
      assertThat(Preconditions.evaluate(null, "\"xyz\"", AFTER_MODIFIED, null, ETAG, MODIFIED))
          .isEqualTo(PROCEED);
    }

    @Test
    void evaluate_garbageAndModifiedSinceWouldMatch_proceed() {
      assertThat(Preconditions.evaluate(null, "garbage", AFTER_MODIFIED, null, ETAG, MODIFIED))
          .isEqualTo(PROCEED);
    }
  }

  @Nested
  class IfModifiedSince {

    @Test
    void evaluate_notModifiedSinceDate_notModified() {
      assertThat(ifModifiedSince(AFTER_MODIFIED, MODIFIED)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_modifiedInSameSecond_notModified() {
      // The client echoes Last-Modified, which has no fraction; .900 must not look newer.
      assertThat(ifModifiedSince(AT_MODIFIED, MODIFIED)).isEqualTo(NOT_MODIFIED);
    }

    @Test
    void evaluate_modifiedAfterDate_proceed() {
      assertThat(ifModifiedSince(BEFORE_MODIFIED, MODIFIED)).isEqualTo(PROCEED);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "garbage",
          "sun, 06 nov 1994 08:49:38 gmt",
          "Sun, 06 Nov 1994 08:49:38 UTC",
          "Sun, 06 Nov 1994 08:49:38 GMT, Sun, 06 Nov 1994 08:49:38 GMT",
          "0"
        })
    void evaluate_invalidDate_ignored(String value) {
      assertThat(ifModifiedSince(value, MODIFIED)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_noLastModified_ignored() {
      assertThat(ifModifiedSince(AFTER_MODIFIED, null)).isEqualTo(PROCEED);
    }

    @Test
    void evaluate_modifiedSinceMatchesButUnmodifiedSinceFails_preconditionFailed() {
      assertThat(
              Preconditions.evaluate(null, null, AFTER_MODIFIED, BEFORE_MODIFIED, ETAG, MODIFIED))
          .isEqualTo(PRECONDITION_FAILED);
    }
  }

  @Nested
  class IfRange {

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void rangeApplies_blank_true(String value) {
      assertThat(Preconditions.rangeApplies(value, ETAG, MODIFIED)).isTrue();
    }

    @Test
    void rangeApplies_null_true() {
      assertThat(Preconditions.rangeApplies(null, ETAG, MODIFIED)).isTrue();
    }

    @Test
    void rangeApplies_sameStrongTag_true() {
      assertThat(Preconditions.rangeApplies("\"abc\"", ETAG, MODIFIED)).isTrue();
      assertThat(Preconditions.rangeApplies(" \"abc\" ", ETAG, MODIFIED)).isTrue();
    }

    @Test
    void rangeApplies_otherTag_false() {
      assertThat(Preconditions.rangeApplies("\"xyz\"", ETAG, MODIFIED)).isFalse();
    }

    @Test
    void rangeApplies_weakRequestTag_false() {
      assertThat(Preconditions.rangeApplies("W/\"abc\"", ETAG, MODIFIED)).isFalse();
    }

    @Test
    void rangeApplies_weakEtag_false() {
      assertThat(Preconditions.rangeApplies("\"abc\"", WEAK_ETAG, MODIFIED)).isFalse();
    }

    @Test
    void rangeApplies_tagWithoutEtag_false() {
      assertThat(Preconditions.rangeApplies("\"abc\"", null, MODIFIED)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc", "\"abc\", \"abc\"", "W/abc", "\"abc\" x"})
    void rangeApplies_malformedTag_false(String value) {
      assertThat(Preconditions.rangeApplies(value, ETAG, MODIFIED)).isFalse();
    }

    @Test
    void rangeApplies_dateEqualToLastModifiedSecond_true() {
      assertThat(Preconditions.rangeApplies(AT_MODIFIED, ETAG, MODIFIED)).isTrue();
      assertThat(Preconditions.rangeApplies("Sunday, 06-Nov-94 08:49:37 GMT", ETAG, MODIFIED))
          .isTrue();
      assertThat(Preconditions.rangeApplies("Sun Nov  6 08:49:37 1994", ETAG, MODIFIED)).isTrue();
    }

    @Test
    void rangeApplies_dateEarlierOrLater_false() {
      // If-Range requires an exact match, unlike If-Modified-Since (RFC 9110 §13.1.5).
      assertThat(Preconditions.rangeApplies(BEFORE_MODIFIED, ETAG, MODIFIED)).isFalse();
      assertThat(Preconditions.rangeApplies(AFTER_MODIFIED, ETAG, MODIFIED)).isFalse();
    }

    @Test
    void rangeApplies_dateWithoutLastModified_false() {
      assertThat(Preconditions.rangeApplies(AT_MODIFIED, ETAG, null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "abc", "1994-11-06T08:49:37Z", "*"})
    void rangeApplies_unparsable_false(String value) {
      assertThat(Preconditions.rangeApplies(value, ETAG, MODIFIED)).isFalse();
    }
  }
}
