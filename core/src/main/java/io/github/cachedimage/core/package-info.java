/** placeholder */
package io.github.cachedimage.core;
