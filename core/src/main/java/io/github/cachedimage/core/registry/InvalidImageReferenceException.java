package io.github.cachedimage.core.registry;

import io.github.cachedimage.core.base.CachedImageException;

/** An image reference that docker would refuse; the message names the reference and the rule. */
public class InvalidImageReferenceException extends CachedImageException {
  private final String reference;

  public InvalidImageReferenceException(String reference, String rule) {
    super("invalid image reference '" + reference + "': " + rule);
    this.reference = reference;
  }

  /** The reference as given. */
  public String reference() {
    return reference;
  }
}
