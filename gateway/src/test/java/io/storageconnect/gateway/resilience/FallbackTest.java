package io.storageconnect.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.failure.ArchivedObjectException;
import io.storageconnect.gateway.failure.GatewayException;
import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.failure.OriginException.Kind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which failures let a proxy stand in for the original, and which proxy. */
class FallbackTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "OBJECT_UNAVAILABLE, missing",
    "ARCHIVED, archived",
    "UNAVAILABLE, unreachable",
    "TIMEOUT, unreachable",
    "THROTTLED, unreachable",
    "CIRCUIT_OPEN, unreachable",
    "MISCONFIGURED, misconfigured"
  })
  void reason_originFailure_allowsTheProxy(Kind kind, String reason) {
    assertThat(Fallback.reason(new OriginException(kind, null)).map(Fallback.Reason::wireName)).hasValue(reason);
  }

  @Test
  void reason_objectChangedTwice_isNotAReasonToSubstitute() {
    assertThat(Fallback.reason(new OriginException(Kind.CHANGED, null))).isEmpty();
  }

  @Test
  void reason_archivedOrRestoring_fromTheObjectsState() {
    assertThat(Fallback.reason(new ArchivedObjectException(true, "GLACIER", false))).hasValue(Fallback.Reason.ARCHIVED);
    assertThat(Fallback.reason(new ArchivedObjectException(true, "DEEP_ARCHIVE", true))).hasValue(Fallback.Reason.RESTORING);
  }

  @Test
  void reason_clientMistakes_neverSubstitute() {
    assertThat(Fallback.reason(new GatewayException(416, "range_not_satisfiable", "x"))).isEmpty();
    assertThat(Fallback.reason(new GatewayException(412, "precondition_failed", "x"))).isEmpty();
    assertThat(Fallback.reason(GatewayException.forbidden("x"))).isEmpty();
    assertThat(Fallback.reason(new IllegalStateException("bug"))).isEmpty();
  }

  @Test
  void proxy_followsThePreference_thenNameOrder() {
    Fallback fallback = new Fallback(List.of("h264_1080p", "h264_720p"));

    assertThat(fallback.proxy(Map.of("h264_360p", "a", "h264_720p", "b", "h264_1080p", "c"))).hasValue("h264_1080p");
    assertThat(fallback.proxy(Map.of("h264_360p", "a", "h264_720p", "b"))).hasValue("h264_720p");
    assertThat(fallback.proxy(Map.of("webm_480p", "a", "h264_360p", "b"))).hasValue("h264_360p");
    assertThat(fallback.proxy(Map.of())).isEqualTo(Optional.empty());
  }
}
