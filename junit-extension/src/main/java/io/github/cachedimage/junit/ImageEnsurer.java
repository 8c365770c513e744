package io.github.cachedimage.junit;

import io.github.cachedimage.core.BuildFailedException;
import io.github.cachedimage.core.BuildLog;
import io.github.cachedimage.core.BuildRecord;
import io.github.cachedimage.core.BuildSpec;
import io.github.cachedimage.core.CachedImageException;
import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.DockerImages;
import io.github.cachedimage.core.DockerUnavailableException;
import io.github.cachedimage.core.EnsureResult;
import java.util.Locale;
import java.util.Optional;
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
    // The whole check (record, fingerprint of the context, and the class loading of a first use
    // in a test JVM) runs while this thread waits for Testcontainers to find the engine, which the
    // first test of a run pays anyway; the check's one engine call waits for that.
    TagFirstImages images = new TagFirstImages(new EngineWhenReady(docker));
    CompletableFuture<EnsureResult> ensured =
        CompletableFuture.supplyAsync(
            () -> {
              Optional<BuildRecord> before = request.record();
              BuildSpec spec = request.spec(before);
              images.recorded(before.orElse(null));
              return CachedImages.create(log, images).ensure(spec, request.recordDirectory());
            },
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
    BuildRecord record = result.record();
    String reference = contentReference(record);
    if (!images.verifiedTag(record)) {
      try {
        keepContentTag(record, reference);
      } catch (CachedImageException | com.github.dockerjava.api.exception.DockerException e) {
        throw new ImageUnavailableException(
            Messages.cannotEnsure(
                request.image(), "cannot tag it " + reference + ": " + e.getMessage()),
            e,
            e instanceof DockerUnavailableException);
      }
    }
    return new EnsuredImage(
        record.image(), record.imageId(), reference, result.built(), summary(result));
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
      if (!docker.isReachable()) {
        throw new DockerUnavailableException(docker.unreachableReason());
      }
      return docker.images().findImage(imageIdOrRef);
    }
  }

  private Optional<String> findTagged(String reference) {
    return docker.images().findImage(reference);
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

  /**
   * The engine, answering the core's "is the recorded image ID there?" by inspecting the recorded
   * content tag: if the tag names that ID, both are proven in one round trip (the fast path's only
   * one); otherwise it asks for the ID as asked. Every answer is the one the core expects.
   */
  private static final class TagFirstImages implements DockerImages {
    private final DockerImages engine;
    private volatile String imageId;
    private volatile String reference;
    private volatile boolean tagVerified;

    TagFirstImages(DockerImages engine) {
      this.engine = engine;
    }

    /** The record read before the check, or {@code null}. */
    void recorded(BuildRecord recorded) {
      this.imageId = recorded == null ? null : recorded.imageId();
      this.reference = recorded == null ? null : contentReferenceOrNull(recorded);
    }

    @Override
    public boolean isReachable() {
      return engine.isReachable();
    }

    @Override
    public Optional<String> findImage(String imageIdOrRef) {
      String reference = this.reference;
      if (reference != null && imageIdOrRef.equals(imageId)) {
        Optional<String> tagged = engine.findImage(reference);
        if (tagged.isPresent() && tagged.get().equals(imageId)) {
          tagVerified = true;
          return tagged;
        }
      }
      return engine.findImage(imageIdOrRef);
    }

    /** Whether the content tag of this (unchanged) record was seen naming its image. */
    boolean verifiedTag(BuildRecord record) {
      return tagVerified
          && record.imageId().equals(imageId)
          && reference.equals(contentReferenceOrNull(record));
    }
  }

  private static String contentReferenceOrNull(BuildRecord record) {
    try {
      return contentReference(record);
    } catch (ImageUnavailableException e) {
      return null;
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
    Optional<String> tagged = findTagged(reference);
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
