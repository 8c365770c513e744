package io.github.cachedimage.junit;

import io.github.cachedimage.core.BuildFailedException;
import io.github.cachedimage.core.BuildLog;
import io.github.cachedimage.core.BuildRecord;
import io.github.cachedimage.core.BuildSpec;
import io.github.cachedimage.core.CachedImageException;
import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.DockerUnavailableException;
import io.github.cachedimage.core.EnsureResult;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
    // Reading the record (Jackson's first use in a test JVM: a few hundred ms of class loading)
    // overlaps with Testcontainers finding the engine, which the first test of a run waits for.
    CompletableFuture<BuildSpec> recordedSpec = CompletableFuture.supplyAsync(request::spec);
    if (!docker.isReachable()) {
      throw new ImageUnavailableException(
          Messages.dockerUnreachable(docker.unreachableReason()), null, true);
    }
    BuildSpec spec;
    EnsureResult result;
    try {
      spec = join(recordedSpec);
      result = CachedImages.create(log, docker.images()).ensure(spec, request.recordDirectory());
    } catch (DockerUnavailableException e) {
      throw new ImageUnavailableException(Messages.dockerUnreachable(e.getMessage()), e, true);
    } catch (BuildFailedException e) {
      throw new ImageUnavailableException(Messages.buildFailed(request.image(), e), e, false);
    } catch (CachedImageException e) {
      throw new ImageUnavailableException(
          Messages.cannotEnsure(request.image(), e.getMessage()), e, false);
    }
    BuildRecord record = result.record();
    String reference = contentReference(record);
    keepContentTag(record, reference);
    return new EnsuredImage(
        record.image(), record.imageId(), reference, result.built(), summary(result));
  }

  private static BuildSpec join(CompletableFuture<BuildSpec> spec) {
    try {
      return spec.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** {@code greeter:fp-1a2b3c4d5e6f}, whether the record holds the full reference or the tag. */
  static String contentReference(BuildRecord record) {
    String tag = record.contentTag();
    if (tag == null || tag.isBlank()) {
      throw new ImageUnavailableException(
          Messages.cannotEnsure(record.image(), "its record names no content tag"));
    }
    String lastSegment = tag.substring(tag.lastIndexOf('/') + 1);
    return lastSegment.contains(":") ? tag : record.image() + ":" + tag;
  }

  /**
   * The core vouches for the image ID; the content tag is what runs, so it must name that ID.
   * Someone may have removed just the tag ({@code docker rmi greeter:fp-...} of an image that has
   * other tags): put it back rather than let Testcontainers try to pull it.
   */
  private void keepContentTag(BuildRecord record, String reference) {
    Optional<String> tagged = docker.images().findImage(reference);
    if (tagged.isPresent() && tagged.get().equals(record.imageId())) {
      return;
    }
    int colon = reference.lastIndexOf(':');
    log.info(
        record.image()
            + ": tagging "
            + record.shortImageId()
            + " as "
            + reference
            + (tagged.isPresent() ? " (the tag named another image)" : " (the tag was gone)"));
    docker.tag(record.imageId(), reference.substring(0, colon), reference.substring(colon + 1));
  }

  private static String summary(EnsureResult result) {
    BuildRecord record = result.record();
    long millis = result.elapsed().toMillis();
    if (!result.built()) {
      return record.image()
          + ": up to date ("
          + record.shortImageId()
          + ", inputs unchanged) in "
          + millis
          + " ms";
    }
    return record.image()
        + ": built "
        + record.shortImageId()
        + " in "
        + String.format(Locale.ROOT, "%.1f s", millis / 1000.0)
        + " ("
        + result.before().describe()
        + ")";
  }
}
