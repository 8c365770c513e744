/**
 * The core of cached-image: build specs, fingerprints, build records and the one entry point {@link
 * io.github.cachedimage.core.CachedImages} that both the Maven plugin and the JUnit extension call.
 * Knows nothing of Maven or JUnit.
 */
package io.github.cachedimage.core;
