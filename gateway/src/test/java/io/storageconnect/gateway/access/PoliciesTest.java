package io.storageconnect.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PoliciesTest {

  private static final String ROLE = "arn:aws:iam::123456789012:role/storage/connect";
  private static final String ISSUER = "https://gateway.example.com/oidc/";
  private static final String AUDIENCE = "sts.amazonaws.com";
  private static final String MIGRATION_ROLE =
      "arn:aws:iam::745689021772:role/frameio-storage-connect-migration-access";

  // ---- trustPolicy ----

  @Test
  void trustPolicy_standardPartition_exactDocument() {
    JsonObject policy = Policies.trustPolicy(ROLE, ISSUER, AUDIENCE, "acme-films");

    JsonObject expected =
        new JsonObject(
            """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Principal": {
                    "Federated": "arn:aws:iam::123456789012:oidc-provider/gateway.example.com/oidc"
                  },
                  "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {
                    "StringEquals": {
                      "gateway.example.com/oidc:aud": "sts.amazonaws.com",
                      "gateway.example.com/oidc:sub": "acme-films"
                    }
                  }
                }
              ]
            }
            """);
    assertThat(reparsed(policy)).isEqualTo(expected);
  }

  @Test
  void trustPolicy_anyDocument_keysInAwsOrder() {
    JsonObject policy = Policies.trustPolicy(ROLE, ISSUER, AUDIENCE, "acme-films");

    assertThat(policy.fieldNames()).containsExactly("Version", "Statement");
    assertThat(statement(policy).fieldNames()).containsExactly("Effect", "Principal", "Action", "Condition");
  }

  @ParameterizedTest
  @CsvSource({
    "arn:aws-us-gov:iam::111122223333:role/sc, arn:aws-us-gov:iam::111122223333:oidc-provider/gateway.example.com/oidc",
    "arn:aws-cn:iam::444455556666:role/a/b/sc, arn:aws-cn:iam::444455556666:oidc-provider/gateway.example.com/oidc",
  })
  void trustPolicy_otherPartition_providerInRolesPartitionAndAccount(String role, String provider) {
    JsonObject policy = Policies.trustPolicy(role, ISSUER, AUDIENCE, "acme-films");

    assertThat(statement(policy).getJsonObject("Principal").getString("Federated")).isEqualTo(provider);
  }

  @ParameterizedTest
  @CsvSource({
    "https://gateway.example.com, gateway.example.com",
    "https://gateway.example.com/, gateway.example.com",
    "https://gateway.example.com/oidc, gateway.example.com/oidc",
    "https://gateway.example.com/oidc//, gateway.example.com/oidc",
    "https://gateway.example.com/a/b/c/, gateway.example.com/a/b/c",
    "https://gateway.example.com:8443/oidc/, gateway.example.com:8443/oidc",
    "http://127.0.0.1:43125, 127.0.0.1:43125",
    "http://localhost:8080/issuer, localhost:8080/issuer",
    "HTTPS://gateway.example.com/oidc, gateway.example.com/oidc",
  })
  void trustPolicy_issuerForms_providerIsHostPortPathWithoutSchemeOrTrailingSlash(String issuer, String name) {
    JsonObject statement = statement(Policies.trustPolicy(ROLE, issuer, AUDIENCE, "acme-films"));

    assertThat(statement.getJsonObject("Principal").getString("Federated"))
        .isEqualTo("arn:aws:iam::123456789012:oidc-provider/" + name);
    assertThat(statement.getJsonObject("Condition").getJsonObject("StringEquals").fieldNames())
        .containsExactly(name + ":aud", name + ":sub");
  }

  @Test
  void trustPolicy_issuerWithPort_conditionKeysCarryPort() {
    JsonObject conditions =
        statement(Policies.trustPolicy(ROLE, "https://gateway.example.com:8443/oidc/", "custom-aud", "acme"))
            .getJsonObject("Condition")
            .getJsonObject("StringEquals");

    assertThat(conditions.getString("gateway.example.com:8443/oidc:aud")).isEqualTo("custom-aud");
    assertThat(conditions.getString("gateway.example.com:8443/oidc:sub")).isEqualTo("acme");
  }

  @Test
  void trustPolicy_subIsExactlyThePlatformAccount_neverAWildcard() {
    JsonObject conditions =
        statement(Policies.trustPolicy(ROLE, ISSUER, AUDIENCE, "B_account-2"))
            .getJsonObject("Condition");

    assertThat(conditions.fieldNames()).containsExactly("StringEquals");
    assertThat(conditions.getJsonObject("StringEquals").getString("gateway.example.com/oidc:sub"))
        .isEqualTo("B_account-2");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "gateway.example.com/oidc",
        "ftp://gateway.example.com",
        "https://",
        "https:///oidc",
        "https://user:pw@gateway.example.com/oidc",
        "https://gateway.example.com/oidc?x=1",
        "https://gateway.example.com/oidc#frag",
        "https://gate way.example.com",
        "https://under_score.example.com",
      })
  void trustPolicy_badIssuer_throwsNamingIssuer(String issuer) {
    assertThatThrownBy(() -> Policies.trustPolicy(ROLE, issuer, AUDIENCE, "acme"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("issuerUrl: ")
        .hasMessageEndingWith(
            "(expected: an absolute http(s) URL with a host and no user info, query or fragment)");
  }

  @ParameterizedTest
  @NullAndEmptySource
  void trustPolicy_missingIssuer_throws(String issuer) {
    assertThatThrownBy(() -> Policies.trustPolicy(ROLE, issuer, AUDIENCE, "acme"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("issuerUrl: ");
  }

  @Test
  void trustPolicy_badRoleArn_throwsWithRuleProblem() {
    assertThatThrownBy(() -> Policies.trustPolicy("arn:aws:iam::123456789012:user/bob", ISSUER, AUDIENCE, "acme"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("roleArn: arn:aws:iam::123456789012:user/bob (expected: a role (role/<name>), got user)");
  }

  @Test
  void trustPolicy_badPlatformAccount_throwsWithRuleProblem() {
    assertThatThrownBy(() -> Policies.trustPolicy(ROLE, ISSUER, AUDIENCE, "*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("platformAccountId: * (expected: 1-64 of [A-Za-z0-9_-], starting with a letter or digit)");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"sts\n.amazonaws.com"})
  void trustPolicy_badAudience_throws(String audience) {
    assertThatThrownBy(() -> Policies.trustPolicy(ROLE, ISSUER, audience, "acme"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("audience: ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void trustPolicy_audienceOverIamLimit_throws() {
    assertThatThrownBy(() -> Policies.trustPolicy(ROLE, ISSUER, "a".repeat(256), "acme"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("(expected: 1-255 characters without control characters)");
  }

  // ---- permissionPolicy ----

  @Test
  void permissionPolicy_prefix_exactDocument() {
    JsonObject policy = Policies.permissionPolicy(ROLE, "acme-media", "storage-connect/acme/");

    JsonObject expected =
        new JsonObject(
            """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "StorageConnectObjectAccess",
                  "Effect": "Allow",
                  "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                  "Resource": "arn:aws:s3:::acme-media/storage-connect/acme/*"
                }
              ]
            }
            """);
    assertThat(reparsed(policy)).isEqualTo(expected);
  }

  @Test
  void permissionPolicy_emptyPrefix_wholeBucketObjects() {
    JsonObject policy = Policies.permissionPolicy(ROLE, "acme-media", "");

    assertThat(statement(policy).getString("Resource")).isEqualTo("arn:aws:s3:::acme-media/*");
  }

  @Test
  void permissionPolicy_anyPrefix_objectActionsOnlyNoListOrBucketActions() {
    JsonArray actions = statement(Policies.permissionPolicy(ROLE, "acme-media", "p/")).getJsonArray("Action");

    assertThat(actions.getList()).containsExactlyInAnyOrder("s3:GetObject", "s3:PutObject", "s3:DeleteObject");
    assertThat(actions.getList()).noneMatch(a -> a.toString().contains("*") || a.toString().contains("List"));
  }

  @ParameterizedTest
  @CsvSource({
    "arn:aws-us-gov:iam::111122223333:role/sc, arn:aws-us-gov:s3:::acme-media/p/*",
    "arn:aws-cn:iam::444455556666:role/sc, arn:aws-cn:s3:::acme-media/p/*",
  })
  void permissionPolicy_otherPartition_resourceInRolesPartition(String role, String resource) {
    assertThat(statement(Policies.permissionPolicy(role, "acme-media", "p/")).getString("Resource"))
        .isEqualTo(resource);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a*b/|arn:aws:s3:::acme-media/a${*}b/*",
        "what?/|arn:aws:s3:::acme-media/what${?}/*",
        "${aws:username}/|arn:aws:s3:::acme-media/${$}{aws:username}/*",
        "a//b/|arn:aws:s3:::acme-media/a//b/*",
        "space and+plus=@%/|arn:aws:s3:::acme-media/space and+plus=@%/*",
        "東京/|arn:aws:s3:::acme-media/東京/*",
      })
  void permissionPolicy_awkwardPrefix_grantsExactlyThePrefix(String prefix, String resource) {
    assertThat(statement(Policies.permissionPolicy(ROLE, "acme-media", prefix)).getString("Resource"))
        .isEqualTo(resource);
  }

  @ParameterizedTest
  @ValueSource(strings = {"media", "/media/", "a/../b/"})
  void permissionPolicy_prefixNotNormalised_throws(String prefix) {
    assertThatThrownBy(() -> Policies.permissionPolicy(ROLE, "acme-media", prefix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prefix: " + prefix + " (expected: ");
  }

  @Test
  void permissionPolicy_prefixWithoutTrailingSlash_throwsNamingNormalisedForm() {
    assertThatThrownBy(() -> Policies.permissionPolicy(ROLE, "acme-media", "media"))
        .hasMessage("prefix: media (expected: the normalised prefix media/)");
  }

  @Test
  void permissionPolicy_badBucket_throwsWithRuleProblem() {
    assertThatThrownBy(() -> Policies.permissionPolicy(ROLE, "Acme", "p/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bucket: Acme (expected: only lowercase letters, digits, '.' and '-', found 'A')");
  }

  @Test
  void permissionPolicy_badRole_throws() {
    assertThatThrownBy(() -> Policies.permissionPolicy("role/x", "acme-media", "p/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("roleArn: role/x (expected: ");
  }

  // ---- migrationBucketPolicy ----

  @Test
  void migrationBucketPolicy_standardPartition_exactDocument() {
    JsonObject policy = Policies.migrationBucketPolicy("acme-media", MIGRATION_ROLE, "aws");

    JsonObject expected =
        new JsonObject(
            """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "StorageConnectMigrationAccess",
                  "Effect": "Allow",
                  "Action": "s3:PutObject",
                  "Resource": "arn:aws:s3:::acme-media/*",
                  "Principal": {
                    "AWS": "arn:aws:iam::745689021772:role/frameio-storage-connect-migration-access"
                  }
                }
              ]
            }
            """);
    assertThat(reparsed(policy)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "aws-us-gov, arn:aws-us-gov:iam::111122223333:role/migration, arn:aws-us-gov:s3:::acme-media/*",
    "aws-cn, arn:aws-cn:iam::444455556666:role/migration, arn:aws-cn:s3:::acme-media/*",
  })
  void migrationBucketPolicy_otherPartition_resourceInPartition(String partition, String principal, String resource) {
    JsonObject statement = statement(Policies.migrationBucketPolicy("acme-media", principal, partition));

    assertThat(statement.getString("Resource")).isEqualTo(resource);
    assertThat(statement.getJsonObject("Principal").getString("AWS")).isEqualTo(principal);
  }

  @Test
  void migrationBucketPolicy_principalInOtherPartition_throws() {
    assertThatThrownBy(() -> Policies.migrationBucketPolicy("acme-media", MIGRATION_ROLE, "aws-cn"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "migrationPrincipalArn: "
                + MIGRATION_ROLE
                + " (expected: a role in partition aws-cn, got aws)");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"aws-iso", "AWS", "us-east-1"})
  void migrationBucketPolicy_unknownPartition_throws(String partition) {
    assertThatThrownBy(() -> Policies.migrationBucketPolicy("acme-media", MIGRATION_ROLE, partition))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("partition: ")
        .hasMessageEndingWith("(expected: aws, aws-cn or aws-us-gov)");
  }

  @Test
  void migrationBucketPolicy_reservedBucketName_throws() {
    assertThatThrownBy(() -> Policies.migrationBucketPolicy("acme-s3alias", MIGRATION_ROLE, "aws"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bucket: acme-s3alias (expected: not to end with -s3alias, a suffix AWS reserves)");
  }

  @Test
  void migrationBucketPolicy_principalNotARole_throws() {
    assertThatThrownBy(() -> Policies.migrationBucketPolicy("acme-media", "arn:aws:iam::745689021772:root", "aws"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("migrationPrincipalArn: ");
  }

  // ---- text ----

  @Test
  void text_anyPolicy_parsesBackToTheSameDocument() {
    for (JsonObject policy :
        new JsonObject[] {
          Policies.trustPolicy(ROLE, ISSUER, AUDIENCE, "acme-films"),
          Policies.permissionPolicy(ROLE, "acme-media", "東京/\ud83c\udfac clips/"),
          Policies.migrationBucketPolicy("acme-media", MIGRATION_ROLE, "aws"),
        }) {
      assertThat(new JsonObject(Policies.text(policy))).isEqualTo(policy);
    }
  }

  @Test
  void text_unicodePrefix_onlyCharactersIamAccepts() {
    String text = Policies.text(Policies.permissionPolicy(ROLE, "acme-media", "東京/\ud83c\udfac clips/"));

    // IAM policy documents: tab, LF, CR and U+0020-U+00FF.
    assertThat(text.chars()).allMatch(c -> c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0x7E));
    assertThat(text).contains("\\u6771\\u4eac/\\ud83c\\udfac clips/*");
  }

  @Test
  void text_asciiPolicy_isThePrettyEncoding() {
    JsonObject policy = Policies.migrationBucketPolicy("acme-media", MIGRATION_ROLE, "aws");

    assertThat(Policies.text(policy)).isEqualTo(policy.encodePrettily());
  }

  private static JsonObject reparsed(JsonObject policy) {
    return new JsonObject(policy.encode());
  }

  private static JsonObject statement(JsonObject policy) {
    JsonArray statements = reparsed(policy).getJsonArray("Statement");
    assertThat(statements).hasSize(1);
    return statements.getJsonObject(0);
  }
}
