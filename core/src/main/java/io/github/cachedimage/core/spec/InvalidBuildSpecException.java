package io.github.cachedimage.core.spec;

import io.github.cachedimage.core.base.CachedImageException;
import java.nio.file.Path;

/**
 * A build spec that cannot be built: missing Dockerfile or context directory, an unreadable context
 * file, a blank image name. {@link #parameter()} names the spec's parameter at fault, {@link
 * #path()} the offending path, when there is one.
 */
public class InvalidBuildSpecException extends CachedImageException {
  private final String parameter;
  private final Path path;

  /**
   * @param parameter the {@link BuildSpec} component at fault ({@code image}, {@code
   *     contextDirectory}, {@code dockerfile}, {@code platform}, {@code secrets}, ...), named as
   *     the Maven plugin's parameter; {@code null} when no one parameter is (an unreadable context
   *     file)
   */
  public InvalidBuildSpecException(String parameter, String message) {
    this(parameter, message, null, null);
  }

  public InvalidBuildSpecException(String parameter, String message, Path path) {
    this(parameter, message, path, null);
  }

  public InvalidBuildSpecException(String parameter, String message, Path path, Throwable cause) {
    super(message, cause);
    this.parameter = parameter;
    this.path = path;
  }

  /**
   * The {@link BuildSpec} component at fault, named as the Maven plugin's parameter ({@code
   * dockerfile}), or {@code null}.
   */
  public String parameter() {
    return parameter;
  }

  /** The path the problem is about, or {@code null}. */
  public Path path() {
    return path;
  }
}
