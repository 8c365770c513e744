package io.github.cachedimage.junit;

import io.github.cachedimage.core.record.RecordRead;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        locations.recordDirectoryFor(image.trim()),
        contextDirectory,
        dockerfilePath,
        new TreeMap<>(buildArgs));
  }

  /**
   * The spec to build when the record names none (the core takes the recorded one when there is
   * one, so tests build exactly what the plugin builds, with its cache settings).
   *
   * @param read what reading the record found, to say why there is no spec in an error
   * @throws ImageUnavailableException when there is no Dockerfile either
   */
  BuildSpec fallbackSpec(RecordRead read) {
    if (!Files.isRegularFile(fallbackDockerfile)) {
      throw new ImageUnavailableException(
          Messages.unknownImage(
              image,
              new RecordStore(recordDirectory, image).recordFile(),
              read == null ? null : read.problem(),
              fallbackDockerfile));
    }
    return BuildSpec.builder(image, fallbackContext)
        .dockerfile(fallbackDockerfile)
        .buildArgs(fallbackBuildArgs)
        .build();
  }
}
