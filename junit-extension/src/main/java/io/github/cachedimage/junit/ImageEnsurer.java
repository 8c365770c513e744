package io.github.cachedimage.junit;

import io.github.cachedimage.core.BuildFailedException;
import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.engine.EngineInfo;
import io.github.cachedimage.core.engine.ImageTag;
import io.github.cachedimage.core.registry.DockerConfigCredentials;
import io.github.cachedimage.core.registry.RegistryCredentials;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.KeepContentTags;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Turns a request into an image that is present and fresh, through the core: whether the image is
 * fresh, the lock, the build and the record are all the core's ({@link CachedImages#ensure}),
 * exactly as for the Maven plugin. This class only chooses the spec and makes the result runnable.
 */
final class ImageEnsurer {
  private final DockerAccess docker;
  private final BuildLog log;

  ImageEnsurer(DockerAccess docker, BuildLog log) {
    this.docker = docker;
    this.log = log;
  }

  /**
   * @throws ImageUnavailableException with a message that does not name the annotated element
   */
  EnsuredImage ensure(ImageRequest request) {
    // The whole check (index or record, fingerprint of the context, and the class loading of a
    // first use in a test JVM) runs while this thread waits for Testcontainers to find the engine,
    // which the first test of a run pays anyway; the check's one engine call waits for that.
    DockerImages images = new EngineWhenReady(docker);
    KeepContentTags keep = keepContentTags(request.image());
    CompletableFuture<EnsureResult> ensured =
        CompletableFuture.supplyAsync(
            () ->
                CachedImages.create(log, images, docker::endpoint)
                    .withEngineUse("tests run on")
                    .withKeepContentTags(keep)
                    .withRegistries(
                        new CachedImages.Registries(docker::transfer, ImageEnsurer::credentials))
                    .ensureRecorded(
                        request.image(), request.recordDirectory(), request::fallbackSpec),
            EXECUTOR);
    if (!docker.isReachable()) {
      throw new ImageUnavailableException(
          Messages.dockerUnreachable(docker.unreachableReason()), null, true);
    }
    EnsureResult result;
    try {
      result = join(ensured);
    } catch (DockerUnavailableException e) {
      throw new ImageUnavailableException(Messages.dockerUnreachable(e.getMessage()), e, true);
    } catch (BuildFailedException e) {
      throw new ImageUnavailableException(Messages.buildFailed(request.image(), e), e, false);
    } catch (CachedImageException e) {
      throw new ImageUnavailableException(
          Messages.cannotEnsure(request.image(), e.getMessage()), e, false);
    }
    String reference = contentReference(result.image(), result.contentTag());
    if (!result.contentTagVerified()) {
      try {
        keepContentTag(result, reference);
      } catch (CachedImageException | com.github.dockerjava.api.exception.DockerException e) {
        throw new ImageUnavailableException(
            Messages.cannotEnsure(
                request.image(), "cannot tag it " + reference + ": " + e.getMessage()),
            e,
            e instanceof DockerUnavailableException);
      }
    }
    return new EnsuredImage(
        result.image(), result.imageId(), reference, result.built(), result.summary());
  }

  /**
   * The plugin's {@code keepContentTags}, as the system property {@code
   * cachedimage.keepContentTags} (Surefire and Failsafe hand {@code -D} options of the Maven
   * command line to the test JVM).
   */
  private static KeepContentTags keepContentTags(String image) {
    try {
      return KeepContentTags.parse(System.getProperty(KEEP_CONTENT_TAGS));
    } catch (InvalidBuildSpecException e) {
      throw new ImageUnavailableException(
          Messages.cannotEnsure(
              image, "system property " + KEEP_CONTENT_TAGS + ": " + e.getMessage()));
    }
  }

  static final String KEEP_CONTENT_TAGS = "cachedimage.keepContentTags";

  /** A test JVM has no Maven settings: the docker CLI's configuration, else anonymous. */
  private static RegistryCredentials credentials() {
    return new RegistryCredentials(List.of(DockerConfigCredentials.fromEnvironment()));
  }

  /** Runs checks (and builds) off the caller's thread; daemon threads, so a JVM can always exit. */
  private static final ExecutorService EXECUTOR =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "cached-image-ensure");
            thread.setDaemon(true);
            return thread;
          });

  /** The engine's images once Testcontainers found the engine; no engine is the core's error. */
  private record EngineWhenReady(DockerAccess docker) implements DockerImages {
    @Override
    public boolean isReachable() {
      return docker.isReachable();
    }

    @Override
    public Optional<String> findImage(String imageIdOrRef) {
      return ready().findImage(imageIdOrRef);
    }

    @Override
    public boolean hasImage(String imageId) {
      return ready().hasImage(imageId);
    }

    @Override
    public EngineInfo engine() {
      return ready().engine();
    }

    @Override
    public List<ImageTag> tags(String repository, String tagPattern) {
      return ready().tags(repository, tagPattern);
    }

    @Override
    public Set<String> containerImageIds() {
      return ready().containerImageIds();
    }

    @Override
    public void untag(String reference) {
      ready().untag(reference);
    }

    private DockerImages ready() {
      if (!docker.isReachable()) {
        throw new DockerUnavailableException(docker.unreachableReason());
      }
      return docker.images();
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** {@code greeter:fp-1a2b3c4d5e6f}, whether the record holds the full reference or the tag. */
  static String contentReference(String image, String tag) {
    if (tag == null || tag.isBlank()) {
      throw new ImageUnavailableException(
          Messages.cannotEnsure(image, "its record names no content tag"));
    }
    String lastSegment = tag.substring(tag.lastIndexOf('/') + 1);
    return lastSegment.contains(":") ? tag : image + ":" + tag;
  }

  /**
   * The core vouches for the image ID; the content tag is what runs, so it must name that ID.
   * Someone may have removed just the tag ({@code docker rmi greeter:fp-...} of an image that has
   * other tags): put it back rather than let Testcontainers try to pull it.
   */
  private void keepContentTag(EnsureResult result, String reference) {
    Optional<String> tagged = docker.images().findImage(reference);
    if (tagged.isPresent() && tagged.get().equals(result.imageId())) {
      return;
    }
    int colon = reference.lastIndexOf(':');
    log.info(
        result.image()
            + ": tagging "
            + HelpfulSuggestions.shortId(result.imageId())
            + " as "
            + reference
            + (tagged.isPresent() ? " (the tag named another image)" : " (the tag was gone)"));
    docker.tag(result.imageId(), reference.substring(0, colon), reference.substring(colon + 1));
  }
}
