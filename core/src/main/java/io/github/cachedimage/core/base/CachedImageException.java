package io.github.cachedimage.core.base;

/** Base of every exception the core throws; unchecked, converted into user errors at the edge. */
public class CachedImageException extends RuntimeException {
  public CachedImageException(String message) {
    super(message);
  }

  public CachedImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
