/** placeholder */
package io.github.cachedimage.junit;
