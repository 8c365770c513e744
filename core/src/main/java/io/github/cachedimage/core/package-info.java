/**
 * The core of cached-image: the one entry point {@link io.github.cachedimage.core.CachedImages}
 * that both the Maven plugin and the JUnit extension call, over packages by concern ({@code spec},
 * {@code fingerprint}, {@code record}, {@code engine}, {@code registry}, {@code gha}, {@code base};
 * their rules are in {@code docs/development.md}). Knows nothing of Maven or JUnit.
 *
 * <p>The no-op check, which every unchanged build runs in a cold JVM, is described step by step,
 * with the record index's layout and the rules its code follows, in {@code docs/no-op-check.md}.
 */
package io.github.cachedimage.core;
