package io.storageconnect.gateway.http;

import io.storageconnect.gateway.catalog.DeliveryMode;
import java.time.Duration;

/**
 * How responses are shaped, gateway-wide (accounts may override the mode). Immutable; validated by
 * the config package.
 *
 * @param defaultMode how originals are downloaded unless the account says otherwise
 * @param allowOverride whether {@code ?delivery=redirect|stream} may choose per request
 * @param presignTtl lifetime of presigned redirect URLs
 * @param cacheControl {@code Cache-Control} on media answered to viewers
 * @param originPullCacheControl {@code Cache-Control} on media answered to CDN origin pulls
 * @param maxRanges most ranges answered as {@code multipart/byteranges}; more get the whole body
 */
public record DeliveryOptions(
    DeliveryMode defaultMode,
    boolean allowOverride,
    Duration presignTtl,
    String cacheControl,
    String originPullCacheControl,
    int maxRanges) {

  public static DeliveryOptions defaults() {
    return new DeliveryOptions(
        DeliveryMode.REDIRECT, true, Duration.ofMinutes(15), "private, max-age=3600", "public, max-age=86400", 16);
  }
}
