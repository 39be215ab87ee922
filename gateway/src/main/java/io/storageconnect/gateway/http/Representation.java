package io.storageconnect.gateway.http;

import io.storageconnect.gateway.catalog.ObjectLocation;

/**
 * One thing a route answers with: where its bytes are, and the headers that describe it.
 *
 * @param catalogType the catalog's content type, or {@code null} to derive it from the stored type
 *     or the file name
 * @param inline {@code Content-Disposition: inline} (playback, images) rather than attachment
 * @param substitute a managed proxy answering in place of the original: a range the proxy cannot
 *     satisfy was meant for the original, so the whole proxy is sent instead of a 416
 */
record Representation(
    ObjectLocation location, String fileName, String catalogType, boolean inline, String cacheControl, boolean substitute) {

  /** A representation that is what the client asked for (not a substitute). */
  Representation(ObjectLocation location, String fileName, String catalogType, boolean inline, String cacheControl) {
    this(location, fileName, catalogType, inline, cacheControl, false);
  }
}
