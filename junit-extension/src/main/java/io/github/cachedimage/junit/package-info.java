/**
 * {@link io.github.cachedimage.junit.CachedImage}: run the project's own image, as the cached-image
 * Maven plugin recorded it, in Testcontainers, building it first (through the same core) when it is
 * missing or stale; and {@link io.github.cachedimage.junit.CachedImageResolver} for tests that
 * create their containers themselves. Everything else in this package is the extension's inside.
 */
package io.github.cachedimage.junit;
