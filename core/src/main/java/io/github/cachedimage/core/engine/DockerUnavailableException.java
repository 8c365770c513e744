package io.github.cachedimage.core.engine;

import io.github.cachedimage.core.base.CachedImageException;

/** No Docker engine answers (not running, wrong DOCKER_HOST, no permission on the socket). */
public class DockerUnavailableException extends CachedImageException {
  public DockerUnavailableException(String message) {
    super(message);
  }

  public DockerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
