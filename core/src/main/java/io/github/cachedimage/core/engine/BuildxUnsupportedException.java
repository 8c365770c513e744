package io.github.cachedimage.core.engine;

import io.github.cachedimage.core.base.CachedImageException;

/**
 * {@code docker buildx} is missing, older than {@link
 * io.github.cachedimage.core.base.BuildxVersion#MINIMUM}, or its builder cannot export the
 * configured cache type. The message names the fix.
 */
public class BuildxUnsupportedException extends CachedImageException {
  public BuildxUnsupportedException(String message) {
    super(message);
  }
}
