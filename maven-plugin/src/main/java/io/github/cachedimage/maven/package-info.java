/**
 * The Maven adapter: {@link io.github.cachedimage.maven.BuildMojo} turns its parameters into a
 * {@link io.github.cachedimage.core.spec.BuildSpec} and calls {@link
 * io.github.cachedimage.core.CachedImages}.
 */
package io.github.cachedimage.maven;
