/** placeholder */
package io.github.cachedimage.maven;
