package io.storageconnect.gateway.http;

import io.storageconnect.gateway.catalog.ObjectLocation;

/**
 * One thing a route answers with: where its bytes are, and the headers that describe it.
 *
 * @param catalogType the catalog's content type, or {@code null} to derive it from the stored type
 *     or the file name
 * @param inline {@code Content-Disposition: inline} (playback, images) rather than attachment
 */
record Representation(
    ObjectLocation location, String fileName, String catalogType, boolean inline, String cacheControl) {}
