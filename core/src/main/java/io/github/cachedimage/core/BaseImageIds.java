package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.dockerfile.BaseImages;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The images a spec's Dockerfile builds on, with the IDs the engine has for them now: a base image
 * rebuilt, pulled or removed changes the fingerprint of every image built on it.
 */
final class BaseImageIds {
  private BaseImageIds() {}

  /** Reads and parses the Dockerfile, then asks the engine once per base image. */
  static Map<String, String> resolve(BuildSpec spec, DockerImages images) {
    String text;
    try {
      text = Files.readString(spec.dockerfile());
    } catch (IOException e) {
      throw new InvalidBuildSpecException(
          "dockerfile",
          HelpfulSuggestions.unreadableContextFile(spec.dockerfile(), e.toString()),
          spec.dockerfile(),
          e);
    }
    Map<String, String> ids = new LinkedHashMap<>();
    for (String ref : BaseImages.of(text, spec.buildArgs(), spec.target())) {
      ids.put(ref, idOf(images, ref));
    }
    return ids;
  }

  /** The ID the engine has for a reference, or {@code ""}; a refused question counts as none. */
  static String idOf(DockerImages images, String ref) {
    try {
      return images.findImage(ref).orElse("");
    } catch (DockerUnavailableException e) {
      throw e;
    } catch (CachedImageException e) {
      return "";
    }
  }
}
