package io.github.cachedimage.core;

import java.nio.file.Path;

/**
 * A build spec that cannot be built: missing Dockerfile or context directory, an unreadable context
 * file, a blank image name. {@link #path()} names the offending path when there is one.
 */
public class InvalidBuildSpecException extends CachedImageException {
  private final Path path;

  public InvalidBuildSpecException(String message) {
    this(message, null, null);
  }

  public InvalidBuildSpecException(String message, Path path) {
    this(message, path, null);
  }

  public InvalidBuildSpecException(String message, Path path, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The path the problem is about, or {@code null}. */
  public Path path() {
    return path;
  }
}
