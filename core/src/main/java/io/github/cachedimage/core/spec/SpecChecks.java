package io.github.cachedimage.core.spec;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The checks and normalisations of {@link BuildSpec}'s canonical constructor. */
final class SpecChecks {
  private static final Pattern REPOSITORY =
      Pattern.compile(
          "^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
              + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$");

  private SpecChecks() {}

  /** A repository name without tag or digest, trimmed. */
  static String repository(String image) {
    if (image == null || image.isBlank()) {
      throw new InvalidBuildSpecException(
          "image", "image name is blank; expected a repository name");
    }
    image = image.trim();
    if (image.contains("@") || image.substring(image.lastIndexOf('/') + 1).contains(":")) {
      throw new InvalidBuildSpecException(
          "image",
          "image '"
              + image
              + "' has a tag or digest; expected a repository name such as 'greeter' (cached-image"
              + " tags <image>:fp-<fingerprint> and <image>:latest itself)");
    }
    if (!REPOSITORY.matcher(image).matches()) {
      throw new InvalidBuildSpecException(
          "image",
          "image '"
              + image
              + "' is not a valid repository name (lower-case a-z, 0-9, . _ - and /)");
    }
    return image;
  }

  /** One platform at most: the image is loaded into the engine, one platform per tag. */
  static void onePlatform(String platform) {
    if (platform != null && platform.contains(",")) {
      throw new InvalidBuildSpecException(
          "platform",
          "platform '"
              + platform
              + "' names several platforms; the image is loaded into the local"
              + " engine, which holds one platform per tag");
    }
  }

  static Path requireAbsolute(String what, Path path) {
    if (path == null) {
      throw new InvalidBuildSpecException(what, what + " is not set");
    }
    if (!path.isAbsolute()) {
      throw new InvalidBuildSpecException(what, what + " must be an absolute path: " + path, path);
    }
    return path.normalize();
  }

  /** Sorted by key (equal specs serialise identically), {@code null} values as empty. */
  static Map<String, String> sorted(String parameter, Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      String k = e.getKey();
      if (k == null || k.isBlank()) {
        throw new InvalidBuildSpecException(
            parameter,
            "blank name in "
                + map.keySet()
                + "; give every entry a name, e.g. <JAR>target/app.jar</JAR>");
      }
      copy.put(k, e.getValue() == null ? "" : e.getValue());
    }
    return Collections.unmodifiableMap(copy);
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
