package io.github.cachedimage.core.engine;

import java.time.Instant;
import java.util.Objects;

/**
 * One tag the engine holds: {@code greeter:fp-1a2b3c4d5e6f} as the engine lists it, the image it
 * names, and when that image was created (the order in which superseded content tags go).
 *
 * @param reference {@code repository:tag}, as the engine lists it (familiar form: {@code greeter},
 *     not {@code docker.io/library/greeter})
 * @param imageId {@code sha256:...}
 * @param created the image's creation time; {@link Instant#EPOCH} when the engine did not say
 */
public record ImageTag(String reference, String imageId, Instant created) {
  public ImageTag {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(imageId, "imageId");
    created = created == null ? Instant.EPOCH : created;
  }

  /** The part after the last {@code :} (a registry port comes before a {@code /}). */
  public String tag() {
    int colon = reference.lastIndexOf(':');
    return colon > reference.lastIndexOf('/') ? reference.substring(colon + 1) : "latest";
  }

  /** The part before the tag. */
  public String repository() {
    int colon = reference.lastIndexOf(':');
    return colon > reference.lastIndexOf('/') ? reference.substring(0, colon) : reference;
  }
}
