package io.github.cachedimage.core.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Names that say their value is a secret ({@code *PASSWORD*}, {@code *TOKEN*}, {@code *SECRET*},
 * {@code *KEY*}, any case): a build arg so named most likely carries one, and build args are not
 * secret (the buildx command line, the image's history, the build record).
 */
public final class SecretNames {
  private static final List<String> WORDS = List.of("PASSWORD", "TOKEN", "SECRET", "KEY");

  private SecretNames() {}

  /** Whether the name looks like a secret's. */
  public static boolean looksSecret(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    for (String word : WORDS) {
      if (upper.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** The build args whose names look like secrets', in order. */
  public static List<String> inBuildArgs(Map<String, String> buildArgs) {
    List<String> out = new ArrayList<>();
    for (String name : buildArgs.keySet()) {
      if (looksSecret(name)) {
        out.add(name);
      }
    }
    return out;
  }
}
