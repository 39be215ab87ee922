package io.storageconnect.gateway.access;

import io.storageconnect.gateway.catalog.ConnectionRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The three AWS policy documents a customer attaches for Storage Connect, filled in with one
 * connection's real values so that nothing is left to edit by hand: the role's trust policy, its
 * permission policy, and the bucket policy for the one-time migration. Stateless and pure: any
 * thread, never blocks.
 *
 * <p>Every input is checked with {@link ConnectionRules} first; a bad one throws {@link
 * IllegalArgumentException} with {@code <parameter>: <value> (expected: ...)}. Render a document
 * with {@link #text}, which keeps it within the characters IAM accepts.
 */
public final class Policies {

  /** The only policy language version that knows policy variables and the escapes used below. */
  static final String VERSION = "2012-10-17";

  static final String PERMISSION_SID = "StorageConnectObjectAccess";
  static final String MIGRATION_SID = "StorageConnectMigrationAccess";

  /** IAM limits an OIDC provider's client ids (audiences) to 255 characters. */
  private static final int MAX_AUDIENCE_LENGTH = 255;

  private Policies() {}

  /**
   * The role's trust policy: only web identity tokens from the gateway's OIDC issuer, for this
   * audience, naming this platform account as {@code sub}, may assume the role. The federated
   * principal is the IAM OIDC provider the customer registers for the issuer in the role's own AWS
   * account and partition: {@code arn:<partition>:iam::<account>:oidc-provider/<host[:port]/path>}.
   *
   * <p>IAM names the provider and its condition keys by the issuer URL without scheme and trailing
   * {@code /}. A port is kept as written (the loopback STS test server needs one); AWS advises
   * against a port in a production issuer URL.
   *
   * @param issuerUrl the gateway's issuer, exactly as its tokens carry it in {@code iss}: http or
   *     https (IAM itself only registers https), no user info, query or fragment
   */
  public static JsonObject trustPolicy(String roleArn, String issuerUrl, String audience, String platformAccountId) {
    check("roleArn", ConnectionRules.roleArn(roleArn));
    String provider = providerName(issuerUrl);
    checkAudience(audience);
    check("platformAccountId", ConnectionRules.accountId(platformAccountId));

    String providerArn =
        "arn:"
            + ConnectionRules.partitionOf(roleArn)
            + ":iam::"
            + ConnectionRules.awsAccountOf(roleArn)
            + ":oidc-provider/"
            + provider;
    JsonObject statement =
        new JsonObject()
            .put("Effect", "Allow")
            .put("Principal", new JsonObject().put("Federated", providerArn))
            .put("Action", "sts:AssumeRoleWithWebIdentity")
            .put(
                "Condition",
                new JsonObject()
                    .put(
                        "StringEquals",
                        new JsonObject()
                            .put(provider + ":aud", audience)
                            .put(provider + ":sub", platformAccountId)));
    return document(statement);
  }

  /**
   * The role's permission policy: the object actions the gateway performs, on the objects under
   * the connection's prefix and nothing else. {@code s3:GetObject} covers GET and HEAD, {@code
   * s3:PutObject} writes and the preflight probe, {@code s3:DeleteObject} removes the probe.
   *
   * <p>Without {@code s3:ListBucket} on the bucket, S3 answers a read of a missing key with 403
   * AccessDenied, not 404 NoSuchKey; the gateway must treat that 403 as "not found or not allowed".
   * This is the source document's model, and it keeps key names from leaking through the role.
   *
   * <p>{@code *}, {@code ?} and {@code $} in the prefix are legal in S3 keys but wildcards or
   * variable syntax in a policy, so they are written as IAM's escapes {@code ${*}}, {@code ${?}}
   * and {@code ${$}}: the policy grants exactly the prefix, never more.
   *
   * @param roleArn the role the policy is attached to; gives the partition
   * @param prefix the connection's prefix, already normalised ({@link
   *     ConnectionRules#normalisedPrefix}): empty, or ending in {@code /}
   */
  public static JsonObject permissionPolicy(String roleArn, String bucket, String prefix) {
    check("roleArn", ConnectionRules.roleArn(roleArn));
    check("bucket", ConnectionRules.bucketName(bucket));
    checkNormalisedPrefix(prefix);
    String partition = ConnectionRules.partitionOf(roleArn);

    JsonObject statement =
        new JsonObject()
            .put("Sid", PERMISSION_SID)
            .put("Effect", "Allow")
            .put("Action", new JsonArray().add("s3:GetObject").add("s3:PutObject").add("s3:DeleteObject"))
            .put("Resource", "arn:" + partition + ":s3:::" + bucket + "/" + escapeForPolicy(prefix) + "*");
    return document(statement);
  }

  /**
   * The bucket policy of the source document that lets the platform's migration role copy existing
   * objects into the customer's bucket ({@code s3:PutObject} on every key). The customer removes it
   * once the migration is done.
   *
   * @param migrationPrincipalArn the platform's migration role; must be in {@code partition}, as a
   *     bucket policy cannot name a principal of another partition
   * @param partition the bucket's partition: {@code aws}, {@code aws-cn} or {@code aws-us-gov}
   */
  public static JsonObject migrationBucketPolicy(String bucket, String migrationPrincipalArn, String partition) {
    check("bucket", ConnectionRules.bucketName(bucket));
    check("migrationPrincipalArn", ConnectionRules.roleArn(migrationPrincipalArn));
    if (partition == null || !ConnectionRules.PARTITIONS.contains(partition)) {
      throw invalid("partition", partition, "aws, aws-cn or aws-us-gov");
    }
    String principalPartition = ConnectionRules.partitionOf(migrationPrincipalArn);
    if (!principalPartition.equals(partition)) {
      throw invalid(
          "migrationPrincipalArn",
          migrationPrincipalArn,
          "a role in partition " + partition + ", got " + principalPartition);
    }

    JsonObject statement =
        new JsonObject()
            .put("Sid", MIGRATION_SID)
            .put("Effect", "Allow")
            .put("Action", "s3:PutObject")
            .put("Resource", "arn:" + partition + ":s3:::" + bucket + "/*")
            .put("Principal", new JsonObject().put("AWS", migrationPrincipalArn));
    return document(statement);
  }

  /**
   * The bucket CORS configuration a customer applies (as is: {@code aws s3api put-bucket-cors
   * --cors-configuration file://cors.json}) so that JavaScript players on the platform's origins
   * can play originals in redirect mode: the browser follows the gateway's 302 to S3, and S3 must
   * then answer the cross-origin range request itself.
   *
   * @param origins the exact origins of the platform's players (the gateway's CORS origins)
   */
  public static JsonObject bucketCors(java.util.List<String> origins, long maxAgeSeconds) {
    if (origins.isEmpty()) {
      throw invalid("origins", "[]", "at least one origin (cors.allowedOrigins)");
    }
    JsonObject rule =
        new JsonObject()
            .put("ID", "storage-connect-playback")
            .put("AllowedOrigins", new io.vertx.core.json.JsonArray(origins))
            .put("AllowedMethods", new io.vertx.core.json.JsonArray().add("GET").add("HEAD"))
            .put("AllowedHeaders", new io.vertx.core.json.JsonArray()
                .add("Range").add("If-Match").add("If-None-Match").add("If-Modified-Since").add("If-Unmodified-Since").add("If-Range"))
            .put("ExposeHeaders", new io.vertx.core.json.JsonArray()
                .add("Content-Range").add("Content-Length").add("Accept-Ranges").add("ETag").add("Last-Modified"))
            .put("MaxAgeSeconds", maxAgeSeconds);
    return new JsonObject().put("CORSRules", new io.vertx.core.json.JsonArray().add(rule));
  }

  /**
   * A policy as text to paste into the console or send to IAM: indented JSON with every character
   * outside printable ASCII written as a JSON unicode escape. IAM's policy document syntax
   * admits only tab, line feed, carriage return and U+0020-U+00FF as raw characters, while S3 keys
   * (and so prefixes) may hold any Unicode.
   */
  public static String text(JsonObject policy) {
    String json = policy.encodePrettily();
    StringBuilder out = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      // Outside string literals the encoder writes ASCII only, so every such character is inside
      // a string, where a unicode escape means the same character.
      if (c > 0x7E) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** {@code host[:port]/path} of an issuer URL: the name IAM gives its OIDC provider. */
  static String providerName(String issuerUrl) {
    String expected = "an absolute http(s) URL with a host and no user info, query or fragment";
    if (issuerUrl == null || issuerUrl.isEmpty()) {
      throw invalid("issuerUrl", issuerUrl, expected);
    }
    URI uri;
    try {
      uri = new URI(issuerUrl);
    } catch (URISyntaxException e) {
      throw invalid("issuerUrl", issuerUrl, expected);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw invalid("issuerUrl", issuerUrl, expected);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    return uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort()) + path.substring(0, end);
  }

  private static void checkAudience(String audience) {
    String expected = "1-" + MAX_AUDIENCE_LENGTH + " characters without control characters";
    if (audience == null
        || audience.isEmpty()
        || audience.length() > MAX_AUDIENCE_LENGTH
        || audience.chars().anyMatch(Character::isISOControl)) {
      throw invalid("audience", audience, expected);
    }
  }

  private static void checkNormalisedPrefix(String prefix) {
    ConnectionRules.NormalisedPrefix normalised = ConnectionRules.normalisedPrefix(prefix);
    if (!normalised.isValid()) {
      throw new IllegalArgumentException("prefix: " + normalised.problem());
    }
    if (!normalised.value().equals(prefix)) {
      throw invalid("prefix", prefix, "the normalised prefix " + normalised.value());
    }
  }

  /** IAM's escapes for the characters that are syntax in a policy string (policy variables). */
  static String escapeForPolicy(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '*' || c == '?' || c == '$') {
        out.append("${").append(c).append('}');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static JsonObject document(JsonObject statement) {
    return new JsonObject().put("Version", VERSION).put("Statement", new JsonArray().add(statement));
  }

  private static IllegalArgumentException invalid(String parameter, String value, String expected) {
    return new IllegalArgumentException(
        parameter + ": " + ConnectionRules.shown(value) + " (expected: " + expected + ")");
  }

  private static void check(String parameter, Optional<String> problem) {
    if (problem.isPresent()) {
      throw new IllegalArgumentException(parameter + ": " + problem.get());
    }
  }
}
