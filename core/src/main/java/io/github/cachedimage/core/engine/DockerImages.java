package io.github.cachedimage.core.engine;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The two questions the fast path asks the Docker engine. Implementations must answer in a few
 * milliseconds (an API call, not a CLI process): this is on the hot path of every up-to-date check.
 */
public interface DockerImages {
  /** Whether an engine answers at all. */
  boolean isReachable();

  /**
   * The image ID ({@code sha256:...}) if the engine has an image with this ID or reference, else
   * empty.
   *
   * @throws DockerUnavailableException if the engine cannot be reached
   */
  Optional<String> findImage(String imageIdOrRef);

  /**
   * Whether the engine has the image with this full ID ({@code sha256:<64 hex>}): the up-to-date
   * check's question. Engines may answer it more cheaply than {@link #findImage}.
   *
   * @throws DockerUnavailableException if the engine cannot be reached
   */
  default boolean hasImage(String imageId) {
    return findImage(imageId).isPresent();
  }

  /**
   * Which engine answers ({@code GET /info} and {@code /version}); asked before a build, never on
   * the up-to-date path. Substitutes in tests may leave it unknown.
   *
   * @throws DockerUnavailableException if the engine cannot be reached
   */
  default EngineInfo engine() {
    return new EngineInfo("", "", "", false);
  }

  /**
   * The engine's tags of one repository ({@code greeter}, {@code localhost:5000/team/greeter}) that
   * match a tag pattern ({@code fp-*}; {@code *} matches anything), for pruning superseded content
   * tags after a build; never on the up-to-date path. Substitutes in tests may list none (nothing
   * is then pruned).
   *
   * @throws DockerUnavailableException if the engine cannot be reached
   */
  default List<ImageTag> tags(String repository, String tagPattern) {
    return List.of();
  }

  /**
   * The IDs of the images of every container, running or stopped: an image one of them uses is
   * never untagged.
   *
   * @throws DockerUnavailableException if the engine cannot be reached
   */
  default Set<String> containerImageIds() {
    return Set.of();
  }

  /**
   * Removes one tag, never forced: the image stays while another tag names it, and the engine
   * refuses (an exception) to delete an image a container uses.
   *
   * @throws io.github.cachedimage.core.base.CachedImageException if the engine refuses
   * @throws DockerUnavailableException if the engine cannot be reached
   */
  default void untag(String reference) {
    throw new UnsupportedOperationException("this engine seam cannot remove tags");
  }
}
