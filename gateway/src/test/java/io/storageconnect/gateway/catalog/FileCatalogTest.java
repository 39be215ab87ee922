package io.storageconnect.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Set;
import org.junit.jupiter.api.Test;

class FileCatalogTest {

  @Test
  void parse_validDocument_keepsKeysByteForByte() throws Exception {
    FileCatalog catalog =
        FileCatalog.parse(
            """
            assets:
              - id: a1
                account: acme
                key: "originals/Ünï cødé+%20(v2)//x/"
                fileName: "A \\"quoted\\" name.mp4"
                contentType: video/mp4
                renditions: { h264_360p: r/a1.mp4 }
                thumbnail: t/a1.jpg
              - id: a2
                account: acme
                key: originals/plain.mov
            """,
            Set.of("acme"));

    Asset a1 = catalog.find("a1").result().orElseThrow();
    assertThat(a1.originalKey()).isEqualTo("originals/Ünï cødé+%20(v2)//x/");
    assertThat(a1.fileName()).isEqualTo("A \"quoted\" name.mp4");
    assertThat(a1.renditions()).containsEntry("h264_360p", "r/a1.mp4");
    assertThat(a1.thumbnailKey()).isEqualTo("t/a1.jpg");
    Asset a2 = catalog.find("a2").result().orElseThrow();
    assertThat(a2.fileName()).isEqualTo("plain.mov");
    assertThat(a2.contentType()).isNull();
    assertThat(catalog.find("nope").result()).isEmpty();
  }

  @Test
  void parse_everyProblemAtOnce() {
    var e =
        catchThrowableOfType(
            FileCatalog.InvalidCatalogException.class,
            () ->
                FileCatalog.parse(
                    """
                    assets:
                      - id: "bad id"
                        account: acme
                        key: k
                      - id: dup
                        account: ghost
                        key: k
                      - id: dup
                        account: acme
                        key: ""
                        renditions: { "../x": a, ok: "" }
                      - just a string
                      - account: acme
                    """,
                    Set.of("acme")));

    assertThat(e.problems())
        .anyMatch(p -> p.startsWith("assets[0].id: bad id"))
        .anyMatch(p -> p.startsWith("assets[1].account: ghost"))
        .anyMatch(p -> p.startsWith("assets[2].id: dup (expected: unique"))
        .anyMatch(p -> p.startsWith("assets[2].key: empty"))
        .anyMatch(p -> p.startsWith("assets[2].renditions: name ../x"))
        .anyMatch(p -> p.startsWith("assets[2].renditions.ok"))
        .anyMatch(p -> p.startsWith("assets[3]: not a mapping"))
        .anyMatch(p -> p.startsWith("assets[4].id: missing"))
        .anyMatch(p -> p.startsWith("assets[4].key: missing"));
  }

  @Test
  void parse_notYaml_isRejectedClearly() {
    var e = catchThrowableOfType(FileCatalog.InvalidCatalogException.class,
        () -> FileCatalog.parse("assets:\n  - id: a\n    key: secret-key: x\n", Set.of()));

    // Where and what, never the text itself (a key may be confidential).
    assertThat(e.problems()).singleElement().asString()
        .startsWith("catalog: not valid YAML (line 3, column ")
        .contains("mapping values are not allowed")
        .doesNotContain("secret-key");
  }
}
