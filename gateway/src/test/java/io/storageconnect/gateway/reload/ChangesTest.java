package io.storageconnect.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageconnect.gateway.catalog.Asset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangesTest {
  static Asset asset(String id, String key) {
    return new Asset(id, "acme", key, "f.mp4", null, Map.of("h264_360p", "r/" + id), null);
  }

  @Test
  void between_addedChangedRemoved_eachCounted() {
    Map<String, Asset> before = Map.of("same", asset("same", "a"), "moved", asset("moved", "old"), "gone", asset("gone", "g"));
    Map<String, Asset> after = Map.of("same", asset("same", "a"), "moved", asset("moved", "new"), "fresh", asset("fresh", "f"));

    Changes changes = Changes.between(before, after);

    assertThat(changes.added()).containsExactly("fresh");
    assertThat(changes.changed()).containsExactly("moved");
    assertThat(changes.removed()).containsExactly("gone");
    assertThat(changes.all()).containsExactlyInAnyOrder("fresh", "moved", "gone");
    assertThat(changes).hasToString("1 added, 1 changed, 1 removed");
  }

  @Test
  void between_equalRecordsOfDifferentInstances_noChange() {
    Changes changes = Changes.between(Map.of("a", asset("a", "k")), Map.of("a", asset("a", "k")));

    assertThat(changes.all()).isEmpty();
  }

  @Test
  void between_onlyARenditionDiffers_changed() {
    Asset a = asset("a", "k");
    Asset b = new Asset("a", "acme", "k", "f.mp4", null, Map.of("h264_360p", "r/other"), null);

    assertThat(Changes.between(Map.of("a", a), Map.of("a", b)).changed()).containsExactly("a");
  }
}
