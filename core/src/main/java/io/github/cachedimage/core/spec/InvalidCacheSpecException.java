package io.github.cachedimage.core.spec;

import io.github.cachedimage.core.base.CachedImageException;

/**
 * A cache spec ({@code --cache-from}/{@code --cache-to} syntax) that cannot be used. The message is
 * the problem alone, e.g. {@code unknown cache type 'gah'; expected one of gha, local, registry,
 * inline, s3, azblob}; adapters prefix it with the element that held the value ({@code <cacheTo>:
 * }).
 */
public class InvalidCacheSpecException extends CachedImageException {
  private final String value;

  public InvalidCacheSpecException(String value, String problem) {
    super(problem);
    this.value = value;
  }

  /** The spec as the user wrote it. */
  public String value() {
    return value;
  }
}
