package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.base.CachedImageException;

/**
 * A {@code type=gha} cache is configured but cannot work here, and strict mode asks to fail rather
 * than build without it. The message names what is missing and the fix; it never holds a token.
 */
public class GhaCacheUnavailableException extends CachedImageException {
  public GhaCacheUnavailableException(String message) {
    super(message);
  }
}
