package io.github.cachedimage.junit;

import io.github.cachedimage.core.BuildRecord;
import io.github.cachedimage.core.BuildSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One image a test asks for, with the fallback spec for when there is no record. Equal requests
 * share one ensure per test run (the root store key).
 *
 * @param image repository name, as in the plugin's {@code <image>}
 * @param recordDirectory where the record is (and is written)
 * @param fallbackContext build context used without a record (absolute)
 * @param fallbackDockerfile Dockerfile used without a record (absolute)
 * @param fallbackBuildArgs build args used without a record
 */
record ImageRequest(
    String image,
    Path recordDirectory,
    Path fallbackContext,
    Path fallbackDockerfile,
    Map<String, String> fallbackBuildArgs) {

  ImageRequest {
    fallbackBuildArgs = Map.copyOf(fallbackBuildArgs);
  }

  /** A request from the annotation; relative paths resolve against the base directory. */
  static ImageRequest of(CachedImage annotation, Locations locations) {
    return of(
        annotation.value(),
        locations,
        annotation.context(),
        annotation.dockerfile(),
        KeyValues.parse("buildArgs", annotation.buildArgs()));
  }

  static ImageRequest of(
      String image,
      Locations locations,
      String context,
      String dockerfile,
      Map<String, String> buildArgs) {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException(
          "image name is blank; expected e.g. @CachedImage(\"greeter\")");
    }
    Path contextDirectory =
        locations.baseDirectory().resolve(context == null ? "" : context.trim()).normalize();
    Path dockerfilePath =
        contextDirectory
            .resolve(dockerfile == null || dockerfile.isBlank() ? "Dockerfile" : dockerfile.trim())
            .normalize();
    return new ImageRequest(
        image.trim(),
        locations.recordDirectory(),
        contextDirectory,
        dockerfilePath,
        new TreeMap<>(buildArgs));
  }

  /** The record the plugin (or an earlier test run) wrote, if any. */
  Optional<BuildRecord> record() {
    return BuildRecord.read(recordDirectory, image);
  }

  /**
   * The spec to ensure: the recorded one (so tests build exactly what the plugin builds, with its
   * cache settings), else the fallback.
   *
   * @throws ImageUnavailableException when there is neither a record nor a Dockerfile
   */
  BuildSpec spec() {
    return spec(record());
  }

  /** As {@link #spec()}, with the record already read. */
  BuildSpec spec(Optional<BuildRecord> record) {
    if (record.isPresent() && record.get().spec() != null) {
      return record.get().spec();
    }
    if (!Files.isRegularFile(fallbackDockerfile)) {
      throw new ImageUnavailableException(
          Messages.unknownImage(
              image, BuildRecord.file(recordDirectory, image), fallbackDockerfile));
    }
    return BuildSpec.builder(image, fallbackContext)
        .dockerfile(fallbackDockerfile)
        .buildArgs(fallbackBuildArgs)
        .build();
  }
}
