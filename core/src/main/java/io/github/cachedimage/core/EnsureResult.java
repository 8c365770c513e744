package io.github.cachedimage.core;

import java.time.Duration;

/**
 * The outcome of {@link CachedImages#ensure}.
 *
 * @param record the record of the image now present (run it by {@link BuildRecord#imageId()} or
 *     {@link BuildRecord#contentTag()})
 * @param built whether buildx ran
 * @param before the freshness found before building (after taking the lock)
 * @param elapsed total time of the call
 */
public record EnsureResult(BuildRecord record, boolean built, Freshness before, Duration elapsed) {}
