package io.github.cachedimage.junit;

import java.nio.file.Path;
import java.util.Map;
import org.testcontainers.images.RemoteDockerImage;
import org.testcontainers.utility.DockerImageName;

/**
 * The programmatic entry point, for tests that create their own container (a {@code
 * GenericContainer} subclass, a Testcontainers module, a network): the same check and build as
 * {@link CachedImage}, returning the ensured image.
 *
 * <pre>{@code
 * static final Network NET = Network.newNetwork();
 *
 * @Container
 * static GenericContainer<?> app =
 *     new GenericContainer<>(CachedImageResolver.ensure("greeter"))
 *         .withNetwork(NET)
 *         .withExposedPorts(8080);
 * }</pre>
 *
 * <p>The returned name is the image's content tag ({@code greeter:fp-1a2b3c4d5e6f}): present in the
 * engine, so Testcontainers' default pull policy runs it without pulling, and never moved to an
 * image built from other inputs. Records are found as for {@link CachedImage} (system property
 * {@code basedir}, else {@code user.dir}; {@code cachedimage.recordDirectory} overrides). Each call
 * runs the freshness check (a few milliseconds when the image is fresh); builds are serialised
 * across threads and JVMs by the core's lock, so concurrent callers build once. With no record, the
 * image is built from {@code Dockerfile} in the base directory. When the image cannot be had (no
 * record and no Dockerfile, no engine, a failed build), every method throws {@link
 * IllegalStateException} with the reason.
 */
public final class CachedImageResolver {
  private CachedImageResolver() {}

  /**
   * Ensures the image is present and built from the current inputs, building it if needed.
   *
   * @param image the image (repository) name, as in the plugin's {@code <image>}
   * @return its content tag, e.g. {@code greeter:fp-1a2b3c4d5e6f}
   * @throws IllegalStateException when the image cannot be had, with the reason
   */
  public static DockerImageName ensure(String image) {
    return ensure(image, Locations.fromSystemProperties().recordDirectoryFor(image));
  }

  /**
   * As {@link #ensure(String)}, with the record in the given directory.
   *
   * @param recordDirectory where the plugin writes records, e.g. {@code target/cached-image}
   *     (relative paths resolve against the base directory)
   */
  public static DockerImageName ensure(String image, Path recordDirectory) {
    return ensureImage(image, recordDirectory).imageName();
  }

  /**
   * A {@link RemoteDockerImage} of the ensured image for {@code new GenericContainer<>(...)}, set
   * never to be pulled and never to be renamed by a configured {@code ImageNameSubstitutor} (such
   * as a registry mirror prefix), which {@link #ensure(String)}'s name would be.
   */
  public static RemoteDockerImage remoteImage(String image) {
    return ensureImage(image, Locations.fromSystemProperties().recordDirectoryFor(image))
        .remoteImage();
  }

  private static EnsuredImage ensureImage(String image, Path recordDirectory) {
    Locations defaults = Locations.fromSystemProperties();
    Locations locations =
        new Locations(
            defaults.baseDirectory(),
            defaults.baseDirectory().resolve(recordDirectory).normalize());
    ImageRequest request = ImageRequest.of(image, locations, "", "", Map.of());
    try {
      return new ImageEnsurer(DockerAccess.testcontainers(), new Slf4jBuildLog()).ensure(request);
    } catch (ImageUnavailableException e) {
      throw new IllegalStateException(
          "CachedImageResolver.ensure(\"" + image + "\"): " + e.getMessage(), e);
    }
  }
}
