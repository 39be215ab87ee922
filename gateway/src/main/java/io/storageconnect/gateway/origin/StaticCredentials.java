package io.storageconnect.gateway.origin;

import java.util.Objects;

/**
 * An access key pair for development, the demo and S3-compatible endpoints. Production customer
 * buckets are reached with role credentials instead. {@link #toString()} never prints the secret.
 */
public record StaticCredentials(String accessKeyId, String secretAccessKey) {
  public StaticCredentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
  }

  @Override
  public String toString() {
    return "StaticCredentials[accessKeyId=" + redact(accessKeyId) + ", secretAccessKey=***]";
  }

  private static String redact(String id) {
    return id.length() <= 4 ? "***" : id.substring(0, 4) + "***";
  }
}
