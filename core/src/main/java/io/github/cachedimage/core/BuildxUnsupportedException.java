package io.github.cachedimage.core;

/**
 * {@code docker buildx} is missing, older than {@link HelpfulSuggestions#MINIMUM_BUILDX_VERSION},
 * or its builder cannot export the configured cache type. The message names the fix.
 */
public class BuildxUnsupportedException extends CachedImageException {
  public BuildxUnsupportedException(String message) {
    super(message);
  }
}
