package io.storageconnect.gateway.origin;

import java.time.Instant;

/**
 * What a HEAD on an object tells: size, validators, stored content type and storage-class state.
 *
 * @param etag the strong ETag as a header value ({@code "..."}), or {@code null} when the origin
 *     sent none (S3 always does; a sparse file behind S3Proxy does not)
 * @param lastModified or {@code null}
 * @param storageClass S3 storage class, {@code STANDARD} when the origin omits it
 * @param restore the raw {@code x-amz-restore} value, or {@code null}
 * @param archiveStatus the raw {@code x-amz-archive-status} value, or {@code null}
 */
public record ObjectMeta(
    long size,
    String etag,
    Instant lastModified,
    String contentType,
    String storageClass,
    String restore,
    String archiveStatus) {}
