package io.github.cachedimage.core.engine;

import io.github.cachedimage.core.registry.Credentials;
import java.util.Optional;

/**
 * The engine's registry operations: the one seam through which images are pulled, tagged and
 * pushed. Credentials travel in the engine API's {@code X-Registry-Auth} header, never on a command
 * line.
 */
public interface ImageTransfer {

  /**
   * Pulls {@code reference} into the engine.
   *
   * @return the engine's ID of the pulled image
   * @throws io.github.cachedimage.core.base.CachedImageException if the pull fails
   */
  String pull(String reference, Optional<Credentials> credentials);

  /** Tags an image: {@code docker tag ID repository:tag}. */
  void tag(String imageId, String repository, String tag);

  /**
   * Pushes {@code reference}, which the engine must have.
   *
   * @return the manifest digest the registry stored ({@code sha256:...})
   * @throws io.github.cachedimage.core.base.CachedImageException if the push fails
   */
  String push(String reference, Optional<Credentials> credentials);
}
