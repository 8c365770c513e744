package io.github.cachedimage.junit;

/**
 * The image a test asked for cannot be had; the message says why without naming the annotated
 * element (the same failure is reported to every field that asked for the image), and the extension
 * prefixes that.
 */
final class ImageUnavailableException extends RuntimeException {
  private final boolean dockerUnreachable;

  ImageUnavailableException(String message) {
    this(message, null, false);
  }

  ImageUnavailableException(String message, Throwable cause, boolean dockerUnreachable) {
    super(message, cause);
    this.dockerUnreachable = dockerUnreachable;
  }

  /** Whether the reason is that no Docker engine answers. */
  boolean dockerUnreachable() {
    return dockerUnreachable;
  }
}
