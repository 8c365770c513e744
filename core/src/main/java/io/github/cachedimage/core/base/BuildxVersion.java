package io.github.cachedimage.core.base;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Versions of buildx, BuildKit and the engine: the one minimum and the one parser. */
public final class BuildxVersion {

  /** The oldest buildx cached-image supports: the first that speaks GitHub's cache service v2. */
  public static final String MINIMUM = "0.21";

  private static final Pattern NUMBERS = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  private BuildxVersion() {}

  /**
   * Parses {@code 1.2.3}, {@code v1.2}, {@code 0.29.1+ds1} into three numbers; {@code null} when
   * absent, unrecognised or {@code 0.0.0} (what Debian's unstamped BuildKit reports): unknown.
   */
  public static int[] parse(String version) {
    if (version == null) {
      return null;
    }
    Matcher m = NUMBERS.matcher(version.trim());
    if (!m.lookingAt()) {
      return null;
    }
    int[] parsed = {
      Integer.parseInt(m.group(1)),
      Integer.parseInt(m.group(2)),
      m.group(3) == null ? 0 : Integer.parseInt(m.group(3))
    };
    return parsed[0] == 0 && parsed[1] == 0 && parsed[2] == 0 ? null : parsed;
  }

  /** Whether a parsed version is at least the minimum ({@code {0, 21}} means 0.21.0). */
  public static boolean atLeast(int[] version, int[] minimum) {
    for (int i = 0; i < minimum.length; i++) {
      if (version[i] != minimum[i]) {
        return version[i] > minimum[i];
      }
    }
    return true;
  }

  /** Whether this buildx version is known to be older than {@link #MINIMUM}. */
  public static boolean tooOld(String buildxVersion) {
    int[] v = parse(buildxVersion);
    return v != null && !atLeast(v, parse(MINIMUM));
  }

  /**
   * The version in {@code docker buildx version} output: {@code github.com/docker/buildx v0.29.1
   * a1b2c3d}, or a distribution's {@code github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4}.
   */
  public static String fromCli(String versionOutput) {
    for (String word : versionOutput.trim().split("\\s+")) {
      if (word.contains("/")) {
        continue;
      }
      Matcher m = NUMBERS.matcher(word);
      if (m.lookingAt()) {
        return m.group().startsWith("v") ? m.group().substring(1) : m.group();
      }
    }
    return null;
  }
}
