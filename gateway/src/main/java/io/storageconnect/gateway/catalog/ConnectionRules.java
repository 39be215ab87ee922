package io.storageconnect.gateway.catalog;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The syntax rules for a storage connection's fields (bucket, region, object prefix, IAM role ARN,
 * platform account id), shared by configuration parsing and the storage-connection admin API so
 * that both report a bad value with the same words. Stateless and pure: any thread, never blocks.
 *
 * <p>Each check returns the problem, if any, as {@code <value> (expected: <what>)}; the caller puts
 * the key in front ({@code accounts.acme.bucket: My_Bucket (expected: ...)}). A value is shown with
 * control characters escaped and cut at 80 characters, so one problem is always one short line.
 */
public final class ConnectionRules {

  /**
   * The AWS regions a connection may name: commercial, GovCloud (US) and China. A region launched
   * after this list was written is rejected until it is added here; that is deliberate, as a typo
   * such as {@code us-east1} must not pass.
   */
  public static final Set<String> KNOWN_REGIONS =
      Set.of(
          "af-south-1",
          "ap-east-1",
          "ap-east-2",
          "ap-northeast-1",
          "ap-northeast-2",
          "ap-northeast-3",
          "ap-south-1",
          "ap-south-2",
          "ap-southeast-1",
          "ap-southeast-2",
          "ap-southeast-3",
          "ap-southeast-4",
          "ap-southeast-5",
          "ap-southeast-6",
          "ap-southeast-7",
          "ca-central-1",
          "ca-west-1",
          "eu-central-1",
          "eu-central-2",
          "eu-north-1",
          "eu-south-1",
          "eu-south-2",
          "eu-west-1",
          "eu-west-2",
          "eu-west-3",
          "il-central-1",
          "me-central-1",
          "me-south-1",
          "mx-central-1",
          "sa-east-1",
          "us-east-1",
          "us-east-2",
          "us-west-1",
          "us-west-2",
          "us-gov-east-1",
          "us-gov-west-1",
          "cn-north-1",
          "cn-northwest-1");

  /** The AWS partitions a role ARN may name: standard, China, GovCloud (US). */
  public static final Set<String> PARTITIONS = Set.of("aws", "aws-cn", "aws-us-gov");

  /**
   * Longest normalised prefix, in UTF-8 bytes. S3 keys stop at 1024 bytes; the rest is left for the
   * keys under the prefix.
   */
  public static final int MAX_PREFIX_BYTES = 900;

  /** IAM: a role path, leading and trailing {@code /} included, is at most 512 characters. */
  static final int MAX_ROLE_PATH_LENGTH = 512;

  private static final int MAX_SHOWN = 80;

  private static final Pattern BUCKET_CHARACTERS = Pattern.compile("[a-z0-9.-]*");
  /** AWS's "formatted as an IP address": the dotted-quad shape, whatever the numbers. */
  private static final Pattern IPV4_SHAPE = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final String[] RESERVED_BUCKET_PREFIXES = {"xn--", "sthree-", "amzn-s3-demo-"};
  private static final String[] RESERVED_BUCKET_SUFFIXES = {
    "-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"
  };

  private static final Pattern AVAILABILITY_ZONE = Pattern.compile("([a-z]{2}(-[a-z]+)+-\\d{1,2})[a-z]");
  private static final Pattern AWS_ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
  private static final Pattern ROLE_PATH_SEGMENT = Pattern.compile("[\\x21-\\x2E\\x30-\\x7E]+");
  private static final Pattern PLATFORM_ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  private static final String ROLE_ARN_SHAPE = "an IAM role ARN arn:aws:iam::<12-digit account>:role/[<path>/]<name>";

  private ConnectionRules() {}

  /**
   * The S3 naming rules for a general purpose bucket (AWS S3 user guide, "General purpose bucket
   * naming rules"). Reports the first rule broken, in the order the guide lists them.
   */
  public static Optional<String> bucketName(String bucket) {
    if (bucket == null || bucket.isEmpty()) {
      return problem(bucket, "an S3 bucket name, 3-63 characters");
    }
    int length = bucket.length();
    if (length < 3 || length > 63) {
      return problem(bucket, "3-63 characters, got " + length);
    }
    if (!BUCKET_CHARACTERS.matcher(bucket).matches()) {
      return problem(
          bucket, "only lowercase letters, digits, '.' and '-', found " + describe(firstOutside(bucket)));
    }
    if (!isLetterOrDigit(bucket.charAt(0)) || !isLetterOrDigit(bucket.charAt(length - 1))) {
      return problem(bucket, "to begin and end with a lowercase letter or digit");
    }
    if (bucket.contains("..")) {
      return problem(bucket, "no two adjacent periods");
    }
    if (IPV4_SHAPE.matcher(bucket).matches()) {
      return problem(bucket, "a name, not an IP address");
    }
    for (String reserved : RESERVED_BUCKET_PREFIXES) {
      if (bucket.startsWith(reserved)) {
        return problem(bucket, "not to start with " + reserved + ", a prefix AWS reserves");
      }
    }
    for (String reserved : RESERVED_BUCKET_SUFFIXES) {
      if (bucket.endsWith(reserved)) {
        return problem(bucket, "not to end with " + reserved + ", a suffix AWS reserves");
      }
    }
    return Optional.empty();
  }

  /** One of {@link #KNOWN_REGIONS}, exactly (lowercase, no spaces). */
  public static Optional<String> region(String region) {
    if (region != null && KNOWN_REGIONS.contains(region)) {
      return Optional.empty();
    }
    if (region != null) {
      // Name the region meant where the mistake is a common one: case, spaces, an AZ for a region.
      String cleaned = region.strip().toLowerCase(Locale.ROOT);
      if (KNOWN_REGIONS.contains(cleaned)) {
        return problem(region, "the region code exactly as AWS writes it: " + cleaned);
      }
      var zone = AVAILABILITY_ZONE.matcher(cleaned);
      if (zone.matches() && KNOWN_REGIONS.contains(zone.group(1))) {
        return problem(region, "a region, not an availability zone: " + zone.group(1));
      }
    }
    return problem(region, "a known AWS region code such as us-east-1");
  }

  /**
   * Normalises an object prefix: leading {@code /} removed, a trailing {@code /} added unless the
   * prefix is empty. Rejects {@code .} and {@code ..} segments (S3 keeps them, but a path-minded
   * tool reading the bucket would not), control characters, text that is not valid Unicode, and
   * more than {@value #MAX_PREFIX_BYTES} UTF-8 bytes. Inner {@code //} is kept: object keys are
   * compared byte for byte, so {@code a//b/} and {@code a/b/} are different prefixes.
   */
  public static NormalisedPrefix normalisedPrefix(String prefix) {
    if (prefix == null) {
      return NormalisedPrefix.rejected(shown(null) + " (expected: an object prefix, possibly empty)");
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (Character.getType(c) == Character.CONTROL) {
        return NormalisedPrefix.rejected(
            shown(prefix) + " (expected: no control characters, found " + describe(c) + ")");
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < prefix.length()
              && Character.isLowSurrogate(prefix.charAt(i + 1)))) {
        return NormalisedPrefix.rejected(shown(prefix) + " (expected: valid Unicode, found a lone surrogate)");
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    int start = 0;
    while (start < prefix.length() && prefix.charAt(start) == '/') {
      start++;
    }
    String p = prefix.substring(start);
    if (p.isEmpty()) {
      return NormalisedPrefix.of("");
    }
    for (String segment : p.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return NormalisedPrefix.rejected(shown(prefix) + " (expected: no . or .. path segments)");
      }
    }
    String normalised = p.endsWith("/") ? p : p + "/";
    int bytes = normalised.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_PREFIX_BYTES) {
      return NormalisedPrefix.rejected(
          shown(prefix) + " (expected: at most " + MAX_PREFIX_BYTES + " bytes of UTF-8, got " + bytes + ")");
    }
    return NormalisedPrefix.of(normalised);
  }

  /**
   * An IAM role ARN: {@code arn:<partition>:iam::<12 digits>:role/[<path>/]<name>}, partition one
   * of {@link #PARTITIONS}, name 1-64 of {@code [A-Za-z0-9_+=,.@-]}, path segments of visible ASCII
   * other than {@code /}, the path ({@code /} at both ends) at most 512 characters (IAM API
   * reference, {@code Role}).
   */
  public static Optional<String> roleArn(String roleArn) {
    if (roleArn == null || roleArn.isEmpty()) {
      return problem(roleArn, ROLE_ARN_SHAPE);
    }
    // The resource part may itself hold ':' (path segments are any visible ASCII), hence the limit.
    String[] parts = roleArn.split(":", 6);
    if (parts.length != 6 || !parts[0].equals("arn")) {
      return problem(roleArn, ROLE_ARN_SHAPE);
    }
    if (!PARTITIONS.contains(parts[1])) {
      return problem(roleArn, "partition aws, aws-cn or aws-us-gov, got " + describe(parts[1]));
    }
    if (!parts[2].equals("iam")) {
      return problem(roleArn, "service iam, got " + describe(parts[2]));
    }
    if (!parts[3].isEmpty()) {
      return problem(roleArn, "no region in an IAM ARN (arn:" + parts[1] + ":iam::...), got " + describe(parts[3]));
    }
    if (!AWS_ACCOUNT.matcher(parts[4]).matches()) {
      return problem(roleArn, "a 12-digit AWS account id, got " + describe(parts[4]));
    }
    String resource = parts[5];
    if (!resource.startsWith("role/")) {
      int slash = resource.indexOf('/');
      String type = slash < 0 ? resource : resource.substring(0, slash);
      return problem(roleArn, "a role (role/<name>), got " + describe(type));
    }
    String[] segments = resource.substring("role/".length()).split("/", -1);
    String name = segments[segments.length - 1];
    if (!ROLE_NAME.matcher(name).matches()) {
      return problem(roleArn, "a role name of 1-64 of [A-Za-z0-9_+=,.@-], got " + describe(name));
    }
    int pathLength = 1;
    for (int i = 0; i < segments.length - 1; i++) {
      if (!ROLE_PATH_SEGMENT.matcher(segments[i]).matches()) {
        return problem(
            roleArn, "role path segments of visible ASCII, not empty, got " + describe(segments[i]));
      }
      pathLength += segments[i].length() + 1;
    }
    if (pathLength > MAX_ROLE_PATH_LENGTH) {
      return problem(roleArn, "a role path of at most " + MAX_ROLE_PATH_LENGTH + " characters, got " + pathLength);
    }
    return Optional.empty();
  }

  /**
   * The 12-digit AWS account that owns a role.
   *
   * @throws IllegalArgumentException with the problem, when {@link #roleArn} rejects the ARN
   */
  public static String awsAccountOf(String roleArn) {
    return validRoleArn(roleArn)[4];
  }

  /**
   * The partition of a role ({@code aws}, {@code aws-cn} or {@code aws-us-gov}), which every other
   * ARN naming that customer's resources must share.
   *
   * @throws IllegalArgumentException with the problem, when {@link #roleArn} rejects the ARN
   */
  public static String partitionOf(String roleArn) {
    return validRoleArn(roleArn)[1];
  }

  /** A platform account id: 1-64 of {@code [A-Za-z0-9_-]}, starting with a letter or digit. */
  public static Optional<String> accountId(String accountId) {
    if (accountId != null && PLATFORM_ACCOUNT.matcher(accountId).matches()) {
      return Optional.empty();
    }
    return problem(accountId, "1-64 of [A-Za-z0-9_-], starting with a letter or digit");
  }

  /**
   * What {@link #normalisedPrefix} decided: exactly one of {@code value} (the normalised prefix,
   * empty or ending in {@code /}) and {@code problem} ({@code <value> (expected: ...)}) is set.
   */
  public record NormalisedPrefix(String value, String problem) {
    public NormalisedPrefix {
      if ((value == null) == (problem == null)) {
        throw new IllegalArgumentException("exactly one of value and problem (expected: one set)");
      }
    }

    static NormalisedPrefix of(String value) {
      return new NormalisedPrefix(value, null);
    }

    static NormalisedPrefix rejected(String problem) {
      return new NormalisedPrefix(null, problem);
    }

    public boolean isValid() {
      return problem == null;
    }

    /** The problem, if the prefix was rejected. */
    public Optional<String> problemIfAny() {
      return Optional.ofNullable(problem);
    }

    /**
     * The normalised prefix.
     *
     * @throws IllegalArgumentException with the problem, when the prefix was rejected
     */
    public String orElseThrow() {
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      return value;
    }
  }

  private static String[] validRoleArn(String roleArn) {
    Optional<String> problem = roleArn(roleArn);
    if (problem.isPresent()) {
      throw new IllegalArgumentException("roleArn: " + problem.get());
    }
    return roleArn.split(":", 6);
  }

  private static Optional<String> problem(String value, String expected) {
    return Optional.of(shown(value) + " (expected: " + expected + ")");
  }

  private static boolean isLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static char firstOutside(String bucket) {
    for (int i = 0; i < bucket.length(); i++) {
      char c = bucket.charAt(i);
      if (!isLetterOrDigit(c) && c != '.' && c != '-') {
        return c;
      }
    }
    throw new IllegalStateException("no character outside [a-z0-9.-] in a rejected name");
  }

  private static String describe(char c) {
    return c >= 0x21 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static String describe(String part) {
    return part.isEmpty() ? "nothing" : shown(part);
  }

  /**
   * A value as a problem shows it: {@code missing} for null, {@code empty} for "", otherwise one
   * line (control characters and lone surrogates escaped) cut at 80 code points.
   */
  public static String shown(String value) {
    if (value == null) {
      return "missing";
    }
    if (value.isEmpty()) {
      return "empty";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_SHOWN) + 8);
    int shown = 0;
    for (int i = 0; i < value.length() && shown < MAX_SHOWN; i++, shown++) {
      char c = value.charAt(i);
      if (Character.getType(c) == Character.CONTROL
          || c == '\u2028'
          || c == '\u2029'
          || (Character.isSurrogate(c)
              && !(Character.isHighSurrogate(c)
                  && i + 1 < value.length()
                  && Character.isLowSurrogate(value.charAt(i + 1))))) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
        if (Character.isHighSurrogate(c)) {
          out.append(value.charAt(++i));
        }
      }
    }
    if (shown < codePointsFrom(value)) {
      out.append("...");
    }
    return out.toString();
  }

  private static int codePointsFrom(String value) {
    return value.codePointCount(0, value.length());
  }
}
