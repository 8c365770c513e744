package io.github.cachedimage.core.engine;

import io.github.cachedimage.core.registry.ImageReference;
import java.util.regex.Pattern;

/**
 * Which of the engine's tags belong to one repository and match a tag pattern ({@code fp-*}), the
 * repository compared in docker's normal form so {@code greeter}, {@code library/greeter} and
 * {@code docker.io/library/greeter} are one. The engine filters by the familiar name already; this
 * checks its answer again, since its matching is a glob over the whole reference.
 */
final class TagFilter {
  private final String name;
  private final String familiar;
  private final String tagPattern;
  private final Pattern tagRegex;

  TagFilter(String repository, String tagPattern) {
    ImageReference ref = ImageReference.parse(repository);
    this.name = ref.name();
    String path = ref.repository();
    this.familiar =
        ImageReference.DOCKER_HUB.equals(ref.registry())
            ? (path.startsWith("library/") ? path.substring("library/".length()) : path)
            : ref.name();
    this.tagPattern = tagPattern;
    StringBuilder regex = new StringBuilder();
    for (String part : tagPattern.split("\\*", -1)) {
      if (regex.length() > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    this.tagRegex = Pattern.compile(regex.toString());
  }

  /** {@code greeter:fp-*}: the pattern of the engine's {@code reference} filter. */
  String enginePattern() {
    return familiar + ":" + tagPattern;
  }

  /** Whether a listed {@code repository:tag} is of this repository and matches the pattern. */
  boolean matches(String reference) {
    int colon = reference.lastIndexOf(':');
    if (colon < 0 || colon < reference.lastIndexOf('/')) {
      return false;
    }
    if (!tagRegex.matcher(reference.substring(colon + 1)).matches()) {
      return false;
    }
    try {
      return ImageReference.parse(reference.substring(0, colon)).name().equals(name);
    } catch (RuntimeException notAReference) {
      return false;
    }
  }
}
