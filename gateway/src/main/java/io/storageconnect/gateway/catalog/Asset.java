package io.storageconnect.gateway.catalog;

import java.util.Map;
import java.util.Objects;

/**
 * One media asset as the platform knows it: whose it is, where its original lives (relative to the
 * account's storage-connection prefix) and which managed renditions and thumbnail it has.
 *
 * @param originalKey object key of the original relative to the connection's prefix, used byte for
 *     byte (spaces, {@code +}, {@code %}, unicode, {@code //} and a trailing {@code /} included)
 * @param contentType catalog content type, or {@code null} to derive one
 * @param renditions rendition name to managed-bucket key
 * @param thumbnailKey managed-bucket key, or {@code null}
 */
public record Asset(
    String id,
    String accountId,
    String originalKey,
    String fileName,
    String contentType,
    Map<String, String> renditions,
    String thumbnailKey) {

  public Asset {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(originalKey, "originalKey");
    Objects.requireNonNull(fileName, "fileName");
    renditions = Map.copyOf(renditions);
  }
}
