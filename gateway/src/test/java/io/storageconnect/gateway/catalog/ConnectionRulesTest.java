package io.storageconnect.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionRulesTest {

  // ---- bucketName ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "my-bucket",
        "my.bucket.example",
        "a1-b2.c3",
        "123",
        "1.2.3",
        "1.2.3.4.5",
        "bucket-xn--inside",
        "s3alias-at-start",
        "docexamplebucket1",
        "sthree",
        "amzn-s3-demo",
        "a-s3alias-not-at-end",
        "mrap.example",
        "ends-with-x-s3",
        "ends-with-table-s3",
        "ab-c"
      })
  void bucketName_followsEveryRule_accepted(String bucket) {
    assertThat(ConnectionRules.bucketName(bucket)).isEmpty();
  }

  @Test
  void bucketName_sixtyThreeCharacters_accepted() {
    assertThat(ConnectionRules.bucketName("a".repeat(63))).isEmpty();
  }

  @Test
  void bucketName_sixtyFourCharacters_rejectedWithLength() {
    assertThat(ConnectionRules.bucketName("a".repeat(64)))
        .hasValue("a".repeat(64) + " (expected: 3-63 characters, got 64)");
  }

  @ParameterizedTest
  @CsvSource({"ab, 2", "a, 1"})
  void bucketName_tooShort_rejectedWithLength(String bucket, int length) {
    assertThat(ConnectionRules.bucketName(bucket))
        .hasValue(bucket + " (expected: 3-63 characters, got " + length + ")");
  }

  @Test
  void bucketName_null_rejectedAsMissing() {
    assertThat(ConnectionRules.bucketName(null))
        .hasValue("missing (expected: an S3 bucket name, 3-63 characters)");
  }

  @Test
  void bucketName_empty_rejectedAsEmpty() {
    assertThat(ConnectionRules.bucketName(""))
        .hasValue("empty (expected: an S3 bucket name, 3-63 characters)");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "MyBucket|'M'",
        "my_bucket|'_'",
        "my bucket|U+0020",
        "bücket|U+00FC",
        "my/bucket|'/'",
        "bucket:1|':'",
      })
  void bucketName_characterOutsideSet_rejectedNamingIt(String bucket, String found) {
    assertThat(ConnectionRules.bucketName(bucket))
        .hasValue(bucket + " (expected: only lowercase letters, digits, '.' and '-', found " + found + ")");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-bucket", "bucket-", ".bucket", "bucket.", "-a-", ".ab"})
  void bucketName_edgeNotLetterOrDigit_rejected(String bucket) {
    assertThat(ConnectionRules.bucketName(bucket))
        .hasValue(bucket + " (expected: to begin and end with a lowercase letter or digit)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"my..bucket", "a...b", "a..b"})
  void bucketName_adjacentPeriods_rejected(String bucket) {
    assertThat(ConnectionRules.bucketName(bucket))
        .hasValue(bucket + " (expected: no two adjacent periods)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.168.5.4", "10.0.0.1", "1.2.3.4", "999.999.999.999", "0.0.0.0"})
  void bucketName_ipv4Shape_rejected(String bucket) {
    assertThat(ConnectionRules.bucketName(bucket))
        .hasValue(bucket + " (expected: a name, not an IP address)");
  }

  @ParameterizedTest
  @CsvSource({
    "xn--bucket, xn--",
    "xn--1, xn--",
    "sthree-bucket, sthree-",
    "sthree-configurator-x, sthree-",
    "amzn-s3-demo-bucket, amzn-s3-demo-",
  })
  void bucketName_reservedPrefix_rejectedNamingIt(String bucket, String reserved) {
    assertThat(ConnectionRules.bucketName(bucket))
        .hasValue(bucket + " (expected: not to start with " + reserved + ", a prefix AWS reserves)");
  }

  @ParameterizedTest
  @CsvSource({
    "bucket-s3alias, -s3alias",
    "bucket--ol-s3, --ol-s3",
    "bucket.mrap, .mrap",
    "bucket--x-s3, --x-s3",
    "bucket--use1-az4--x-s3, --x-s3",
    "bucket--table-s3, --table-s3",
  })
  void bucketName_reservedSuffix_rejectedNamingIt(String bucket, String reserved) {
    assertThat(ConnectionRules.bucketName(bucket))
        .hasValue(bucket + " (expected: not to end with " + reserved + ", a suffix AWS reserves)");
  }

  @Provide
  Arbitrary<String> validBuckets() {
    Arbitrary<Character> edge = Arbitraries.chars().range('a', 'z').range('0', '9');
    Arbitrary<String> labels =
        Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-').ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> middle = labels.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
    return Combinators.combine(edge, middle, edge)
        .as((first, m, last) -> first + m + last)
        .filter(b -> b.length() <= 63)
        .filter(b -> !b.matches("\\d+(\\.\\d+){3}"))
        .filter(b -> !b.startsWith("xn--") && !b.startsWith("sthree-") && !b.startsWith("amzn-s3-demo-"))
        .filter(b -> Stream.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3").noneMatch(b::endsWith));
  }

  @Property(tries = 2000)
  void bucketName_generatedValidName_accepted(@ForAll("validBuckets") String bucket) {
    assertThat(ConnectionRules.bucketName(bucket)).as(bucket).isEmpty();
  }

  @Property(tries = 2000)
  void bucketName_anyString_acceptedOnlyWhenEveryRuleHolds(@ForAll("anyBucketish") String bucket) {
    boolean ruleHolds =
        bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
            && !bucket.contains("..")
            && !bucket.matches("\\d{1,3}(\\.\\d{1,3}){3}")
            && !bucket.startsWith("xn--")
            && !bucket.startsWith("sthree-")
            && !bucket.startsWith("amzn-s3-demo-")
            && List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3").stream().noneMatch(bucket::endsWith);

    Optional<String> problem = ConnectionRules.bucketName(bucket);

    assertThat(problem.isEmpty()).as(bucket).isEqualTo(ruleHolds);
    problem.ifPresent(p -> assertThat(p).contains(" (expected: ").doesNotContain("\n"));
  }

  @Provide
  Arbitrary<String> anyBucketish() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abz09.-A_ \n").ofMaxLength(70),
        Arbitraries.strings().all().ofMaxLength(70),
        Arbitraries.of("xn--", "sthree-", "amzn-s3-demo-", "1.2.3.4", "")
            .flatMap(
                p ->
                    Arbitraries.strings()
                        .withChars("ab9.-")
                        .ofMaxLength(10)
                        .flatMap(
                            m ->
                                Arbitraries.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3", "", "a")
                                    .map(s -> p + m + s))));
  }

  // ---- region ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "us-east-1",
        "us-west-2",
        "eu-central-2",
        "ap-southeast-7",
        "ap-east-2",
        "mx-central-1",
        "il-central-1",
        "ca-west-1",
        "us-gov-west-1",
        "us-gov-east-1",
        "cn-north-1",
        "cn-northwest-1"
      })
  void region_known_accepted(String region) {
    assertThat(ConnectionRules.region(region)).isEmpty();
  }

  @Test
  void knownRegions_holdsCommercialGovCloudAndChina() {
    assertThat(ConnectionRules.KNOWN_REGIONS)
        .hasSize(38)
        .contains("af-south-1", "sa-east-1", "me-south-1", "eu-west-3", "ap-south-2", "ap-northeast-3")
        .allMatch(r -> r.matches("[a-z]{2}(-gov)?-[a-z]+-\\d"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"us-east-3", "eu-east-1", "us-east1", "useast1", "global", "us-iso-east-1", "local"})
  void region_unknown_rejected(String region) {
    assertThat(ConnectionRules.region(region))
        .hasValue(region + " (expected: a known AWS region code such as us-east-1)");
  }

  @Test
  void region_null_rejectedAsMissing() {
    assertThat(ConnectionRules.region(null))
        .hasValue("missing (expected: a known AWS region code such as us-east-1)");
  }

  @Test
  void region_empty_rejectedAsEmpty() {
    assertThat(ConnectionRules.region(""))
        .hasValue("empty (expected: a known AWS region code such as us-east-1)");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"US-EAST-1|us-east-1", "' eu-west-1'|eu-west-1", "'us-east-1 '|us-east-1", "Cn-North-1|cn-north-1"})
  void region_wrongCaseOrSpaces_rejectedNamingTheRegion(String region, String meant) {
    assertThat(ConnectionRules.region(region))
        .hasValue(region + " (expected: the region code exactly as AWS writes it: " + meant + ")");
  }

  @ParameterizedTest
  @CsvSource({"us-east-1a, us-east-1", "eu-west-2c, eu-west-2", "us-gov-west-1b, us-gov-west-1"})
  void region_availabilityZone_rejectedNamingTheRegion(String zone, String region) {
    assertThat(ConnectionRules.region(zone))
        .hasValue(zone + " (expected: a region, not an availability zone: " + region + ")");
  }

  // ---- normalisedPrefix ----

  @ParameterizedTest
  @CsvSource({
    "media, media/",
    "media/, media/",
    "/media, media/",
    "/media/, media/",
    "///media, media/",
    "a/b/c, a/b/c/",
    "a//b, a//b/",
    "//a//b//, a//b//",
    "storage-connect/acme, storage-connect/acme/",
    "'space and+plus', 'space and+plus/'",
    "'100% real=@', '100% real=@/'",
    "東京/ünïcødé, 東京/ünïcødé/",
    "...a, ...a/",
    "a.., a../",
    ".hidden/x, .hidden/x/",
    "a/.../b, a/.../b/",
  })
  void normalisedPrefix_valid_normalised(String raw, String expected) {
    ConnectionRules.NormalisedPrefix result = ConnectionRules.normalisedPrefix(raw);

    assertThat(result.isValid()).isTrue();
    assertThat(result.value()).isEqualTo(expected);
    assertThat(result.problemIfAny()).isEmpty();
    assertThat(result.orElseThrow()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/", "//", "///"})
  void normalisedPrefix_emptyOrOnlySlashes_empty(String raw) {
    assertThat(ConnectionRules.normalisedPrefix(raw).value()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "..", "./a", "a/..", "a/../b", "/../etc", "a/./b", "a//./b", "a/.", "./"})
  void normalisedPrefix_dotSegment_rejected(String raw) {
    ConnectionRules.NormalisedPrefix result = ConnectionRules.normalisedPrefix(raw);

    assertThat(result.isValid()).isFalse();
    assertThat(result.value()).isNull();
    assertThat(result.problem()).isEqualTo(raw + " (expected: no . or .. path segments)");
  }

  @ParameterizedTest
  @CsvSource({"0, U+0000", "10, U+000A", "13, U+000D", "9, U+0009", "127, U+007F", "133, U+0085", "159, U+009F"})
  void normalisedPrefix_controlCharacter_rejectedNamingIt(int code, String named) {
    String raw = "media" + (char) code + "x";

    String problem = ConnectionRules.normalisedPrefix(raw).problem();

    assertThat(problem)
        .isEqualTo("media" + String.format("\\u%04X", code) + "x (expected: no control characters, found " + named + ")")
        .doesNotContain("\n", "\r");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\ud800", "\udc00b", "x\udc00\ud800y"})
  void normalisedPrefix_loneSurrogate_rejected(String raw) {
    assertThat(ConnectionRules.normalisedPrefix(raw).problem()).endsWith("(expected: valid Unicode, found a lone surrogate)");
  }

  @Test
  void normalisedPrefix_surrogatePair_accepted() {
    assertThat(ConnectionRules.normalisedPrefix("clips/\ud83c\udfac").value()).isEqualTo("clips/\ud83c\udfac/");
  }

  @Test
  void normalisedPrefix_exactlyNineHundredBytesWithSlash_accepted() {
    String raw = "a".repeat(899);

    assertThat(ConnectionRules.normalisedPrefix(raw).value()).hasSize(900);
  }

  @Test
  void normalisedPrefix_nineHundredBytesPlusAddedSlash_rejected() {
    String problem = ConnectionRules.normalisedPrefix("a".repeat(900)).problem();

    assertThat(problem).startsWith("a".repeat(80) + "... (expected: at most 900 bytes of UTF-8, got 901)");
  }

  @Test
  void normalisedPrefix_multiByteCharactersCountedAsBytes_rejected() {
    // 300 three-byte characters and a slash: 301 characters, 901 bytes.
    String problem = ConnectionRules.normalisedPrefix("東".repeat(300)).problem();

    assertThat(problem).endsWith("(expected: at most 900 bytes of UTF-8, got 901)");
  }

  @Test
  void normalisedPrefix_leadingSlashesNotCounted_accepted() {
    assertThat(ConnectionRules.normalisedPrefix("///" + "a".repeat(898) + "/").isValid()).isTrue();
  }

  @Test
  void normalisedPrefix_null_rejectedAsMissing() {
    ConnectionRules.NormalisedPrefix result = ConnectionRules.normalisedPrefix(null);

    assertThat(result.problem()).isEqualTo("missing (expected: an object prefix, possibly empty)");
    assertThatThrownBy(result::orElseThrow)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("missing (expected: an object prefix, possibly empty)");
  }

  @Test
  void normalisedPrefix_bothOrNeitherSet_constructorThrows() {
    assertThatThrownBy(() -> new ConnectionRules.NormalisedPrefix("a/", "problem"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectionRules.NormalisedPrefix(null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Provide
  Arbitrary<String> prefixes() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("ab/.é東 \u0000\n").ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars("a/").ofMinLength(850).ofMaxLength(950));
  }

  @Property(tries = 3000)
  void normalisedPrefix_anyInput_validResultKeepsInvariants(@ForAll("prefixes") String raw) {
    ConnectionRules.NormalisedPrefix result = ConnectionRules.normalisedPrefix(raw);

    if (result.isValid()) {
      String p = result.value();
      assertThat(p).doesNotStartWith("/");
      assertThat(p.isEmpty() || p.endsWith("/")).as(p).isTrue();
      assertThat(p.split("/", -1)).doesNotContain(".", "..");
      assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ConnectionRules.MAX_PREFIX_BYTES);
      assertThat(p.codePoints()).noneMatch(cp -> Character.getType(cp) == Character.CONTROL);
      assertThat(ConnectionRules.normalisedPrefix(p).value()).as("idempotent").isEqualTo(p);
      // Only leading slashes are removed and one trailing slash added: the key bytes are kept.
      assertThat(raw.replaceFirst("^/+", "") + (raw.replaceFirst("^/+", "").isEmpty() || raw.endsWith("/") ? "" : "/"))
          .isEqualTo(p);
    } else {
      assertThat(result.problem()).contains(" (expected: ").doesNotContain("\n", "\r");
    }
  }

  // ---- roleArn ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:aws:iam::123456789012:role/storage-connect",
        "arn:aws:iam::123456789012:role/storage/connect",
        "arn:aws:iam::123456789012:role/a/b/c/d/name",
        "arn:aws:iam::000000000000:role/x",
        "arn:aws:iam::123456789012:role/service-role/My_Role+=,.@-1",
        "arn:aws-cn:iam::123456789012:role/storage-connect",
        "arn:aws-us-gov:iam::123456789012:role/storage-connect",
        "arn:aws:iam::745689021772:role/frameio-storage-connect-migration-access",
        "arn:aws:iam::123456789012:role/path:with:colons/name",
        "arn:aws:iam::123456789012:role/p!\"#$%&'()*/name",
      })
  void roleArn_valid_accepted(String arn) {
    assertThat(ConnectionRules.roleArn(arn)).isEmpty();
  }

  @Test
  void roleArn_sixtyFourCharacterName_accepted() {
    assertThat(ConnectionRules.roleArn("arn:aws:iam::123456789012:role/" + "n".repeat(64))).isEmpty();
  }

  @Test
  void roleArn_sixtyFiveCharacterName_rejected() {
    assertThat(ConnectionRules.roleArn("arn:aws:iam::123456789012:role/" + "n".repeat(65)).orElseThrow())
        .endsWith("(expected: a role name of 1-64 of [A-Za-z0-9_+=,.@-], got " + "n".repeat(65) + ")");
  }

  @Test
  void roleArn_pathOfFiveHundredTwelve_accepted() {
    // "/" + 510 characters + "/" = 512.
    String arn = "arn:aws:iam::123456789012:role/" + "p".repeat(510) + "/name";

    assertThat(ConnectionRules.roleArn(arn)).isEmpty();
  }

  @Test
  void roleArn_pathOfFiveHundredThirteen_rejected() {
    String arn = "arn:aws:iam::123456789012:role/" + "p".repeat(255) + "/" + "q".repeat(255) + "/name";

    assertThat(ConnectionRules.roleArn(arn).orElseThrow())
        .endsWith("(expected: a role path of at most 512 characters, got 513)");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"storage-connect", "arn:aws:iam::123456789012", "aws:iam::123456789012:role/x", "ARN:aws:iam::123456789012:role/x"})
  void roleArn_notAnArn_rejectedWithShape(String arn) {
    assertThat(ConnectionRules.roleArn(arn).orElseThrow())
        .endsWith("(expected: an IAM role ARN arn:aws:iam::<12-digit account>:role/[<path>/]<name>)");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "arn:aws-iso:iam::123456789012:role/x|partition aws, aws-cn or aws-us-gov, got aws-iso",
        "arn::iam::123456789012:role/x|partition aws, aws-cn or aws-us-gov, got nothing",
        "arn:AWS:iam::123456789012:role/x|partition aws, aws-cn or aws-us-gov, got AWS",
        "arn:aws:sts::123456789012:assumed-role/x/s|service iam, got sts",
        "arn:aws:s3:::bucket:role/x|service iam, got s3",
        "arn:aws:iam:us-east-1:123456789012:role/x|no region in an IAM ARN (arn:aws:iam::...), got us-east-1",
        "arn:aws:iam::12345678901:role/x|a 12-digit AWS account id, got 12345678901",
        "arn:aws:iam::1234567890123:role/x|a 12-digit AWS account id, got 1234567890123",
        "arn:aws:iam::12345678901a:role/x|a 12-digit AWS account id, got 12345678901a",
        "arn:aws:iam:::role/x|a 12-digit AWS account id, got nothing",
        "arn:aws:iam::123456789012:user/alice|a role (role/<name>), got user",
        "arn:aws:iam::123456789012:root|a role (role/<name>), got root",
        "arn:aws:iam::123456789012:oidc-provider/example.com|a role (role/<name>), got oidc-provider",
        "arn:aws:iam::123456789012:Role/x|a role (role/<name>), got Role",
        "arn:aws:iam::123456789012:role/|a role name of 1-64 of [A-Za-z0-9_+=,.@-], got nothing",
        "arn:aws:iam::123456789012:role/path/|a role name of 1-64 of [A-Za-z0-9_+=,.@-], got nothing",
        "arn:aws:iam::123456789012:role/bad name|a role name of 1-64 of [A-Za-z0-9_+=,.@-], got bad name",
        "arn:aws:iam::123456789012:role/bad*name|a role name of 1-64 of [A-Za-z0-9_+=,.@-], got bad*name",
        "arn:aws:iam::123456789012:role/rôle|a role name of 1-64 of [A-Za-z0-9_+=,.@-], got rôle",
        "arn:aws:iam::123456789012:role//name|role path segments of visible ASCII, not empty, got nothing",
        "arn:aws:iam::123456789012:role/a//name|role path segments of visible ASCII, not empty, got nothing",
        "arn:aws:iam::123456789012:role/a b/name|role path segments of visible ASCII, not empty, got a b",
        "arn:aws:iam::123456789012:role/é/name|role path segments of visible ASCII, not empty, got é",
      })
  void roleArn_brokenPart_rejectedNamingIt(String arn, String expected) {
    assertThat(ConnectionRules.roleArn(arn)).hasValue(arn + " (expected: " + expected + ")");
  }

  @Test
  void roleArn_newlineInName_rejectedOnOneLine() {
    String problem = ConnectionRules.roleArn("arn:aws:iam::123456789012:role/x\ny").orElseThrow();

    assertThat(problem).doesNotContain("\n").contains("x\\u000Ay");
  }

  @ParameterizedTest
  @CsvSource({
    "arn:aws:iam::123456789012:role/storage/connect, 123456789012, aws",
    "arn:aws-cn:iam::210987654321:role/x, 210987654321, aws-cn",
    "arn:aws-us-gov:iam::000000000001:role/a/b/c, 000000000001, aws-us-gov",
  })
  void awsAccountOfAndPartitionOf_validArn_parts(String arn, String account, String partition) {
    assertThat(ConnectionRules.awsAccountOf(arn)).isEqualTo(account);
    assertThat(ConnectionRules.partitionOf(arn)).isEqualTo(partition);
  }

  @Test
  void awsAccountOf_invalidArn_throwsWithProblem() {
    assertThatThrownBy(() -> ConnectionRules.awsAccountOf("arn:aws:iam::123:role/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("roleArn: arn:aws:iam::123:role/x (expected: a 12-digit AWS account id, got 123)");
  }

  @Test
  void partitionOf_null_throwsWithProblem() {
    assertThatThrownBy(() -> ConnectionRules.partitionOf(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("roleArn: missing (expected: an IAM role ARN");
  }

  @Provide
  Arbitrary<String[]> roleParts() {
    Arbitrary<String> partition = Arbitraries.of("aws", "aws-cn", "aws-us-gov");
    Arbitrary<String> account = Arbitraries.strings().numeric().ofLength(12);
    Arbitrary<String> segment = Arbitraries.strings().withCharRange('!', '~').excludeChars('/').ofMinLength(1).ofMaxLength(20);
    Arbitrary<String> path = segment.list().ofMaxSize(5).map(l -> l.isEmpty() ? "" : String.join("/", l) + "/");
    Arbitrary<String> name =
        Arbitraries.strings().alpha().numeric().withChars("_+=,.@-").ofMinLength(1).ofMaxLength(64);
    return Combinators.combine(partition, account, path, name).as((p, a, pa, n) -> new String[] {p, a, pa, n});
  }

  @Property(tries = 2000)
  void roleArn_generatedValidArn_acceptedAndPartsRecovered(@ForAll("roleParts") String[] parts) {
    String arn = "arn:" + parts[0] + ":iam::" + parts[1] + ":role/" + parts[2] + parts[3];

    assertThat(ConnectionRules.roleArn(arn)).as(arn).isEmpty();
    assertThat(ConnectionRules.partitionOf(arn)).isEqualTo(parts[0]);
    assertThat(ConnectionRules.awsAccountOf(arn)).isEqualTo(parts[1]);
  }

  @Property(tries = 2000)
  void roleArn_anyString_oneLineProblemOrParsableArn(@ForAll("arnish") String arn) {
    Optional<String> problem = ConnectionRules.roleArn(arn);

    if (problem.isPresent()) {
      assertThat(problem.get()).contains(" (expected: ").doesNotContain("\n", "\r");
      assertThatThrownBy(() -> ConnectionRules.awsAccountOf(arn)).isInstanceOf(IllegalArgumentException.class);
    } else {
      assertThat(arn).matches("arn:aws(-cn|-us-gov)?:iam::\\d{12}:role/([\\x21-\\x2E\\x30-\\x7E]+/)*[\\w+=,.@-]{1,64}");
    }
  }

  @Provide
  Arbitrary<String> arnish() {
    Arbitrary<String> tail = Arbitraries.strings().withChars("ab/:*é \n0").ofMaxLength(20);
    return Arbitraries.oneOf(
        tail.map(t -> "arn:aws:iam::123456789012:role/" + t),
        tail.map(t -> "arn:aws:iam::" + t),
        Arbitraries.strings().all().ofMaxLength(60));
  }

  // ---- accountId ----

  @ParameterizedTest
  @ValueSource(strings = {"a", "Z", "7", "acme", "acme-films", "acme_films", "A1-b2_C3", "0-", "a_"})
  void accountId_valid_accepted(String id) {
    assertThat(ConnectionRules.accountId(id)).isEmpty();
  }

  @Test
  void accountId_sixtyFourCharacters_accepted() {
    assertThat(ConnectionRules.accountId("a".repeat(64))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-acme", "_acme", "acme films", "acme.films", "acme/films", "äcme", "acme\n", "acme:1"})
  void accountId_invalid_rejected(String id) {
    assertThat(ConnectionRules.accountId(id).orElseThrow())
        .endsWith(" (expected: 1-64 of [A-Za-z0-9_-], starting with a letter or digit)")
        .doesNotContain("\n");
  }

  @Test
  void accountId_sixtyFiveCharacters_rejected() {
    assertThat(ConnectionRules.accountId("a".repeat(65))).isPresent();
  }

  @Test
  void accountId_nullAndEmpty_rejectedNamingWhich() {
    assertThat(ConnectionRules.accountId(null)).hasValueSatisfying(p -> assertThat(p).startsWith("missing ("));
    assertThat(ConnectionRules.accountId("")).hasValueSatisfying(p -> assertThat(p).startsWith("empty ("));
  }

  // ---- shown ----

  @Test
  void shown_longValue_cutAtEightyCodePoints() {
    assertThat(ConnectionRules.shown("x".repeat(81))).isEqualTo("x".repeat(80) + "...");
    assertThat(ConnectionRules.shown("x".repeat(80))).isEqualTo("x".repeat(80));
  }

  @Test
  void shown_surrogatePairs_keptWholeAndCountedOnce() {
    String emoji = "\ud83c\udfac";

    assertThat(ConnectionRules.shown(emoji.repeat(80))).isEqualTo(emoji.repeat(80));
    assertThat(ConnectionRules.shown(emoji.repeat(81))).isEqualTo(emoji.repeat(80) + "...");
  }

  @Test
  void shown_lineSeparators_escaped() {
    assertThat(ConnectionRules.shown("a\u2028b\rc")).isEqualTo("a\\u2028b\\u000Dc");
  }
}
