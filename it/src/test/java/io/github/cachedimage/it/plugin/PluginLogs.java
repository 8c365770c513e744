package io.github.cachedimage.it.plugin;

import io.github.cachedimage.it.support.MavenSample;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading buildx's plain progress out of a Maven log. */
final class PluginLogs {
  private PluginLogs() {}

  /** Whether the step whose text contains {@code stepText} was reported CACHED. */
  static boolean stepCached(MavenSample.Run run, String stepText) {
    Integer vertex = null;
    Pattern step = Pattern.compile("#(\\d+) \\[[^\\]]*\\d+/\\d+\\] (.*)");
    for (String line : run.log().lines().toList()) {
      Matcher m = step.matcher(line);
      if (m.find() && m.group(2).contains(stepText)) {
        vertex = Integer.valueOf(m.group(1));
      }
    }
    if (vertex == null) {
      throw new AssertionError("no step containing '" + stepText + "' in " + run.logFile());
    }
    return run.log().contains("#" + vertex + " CACHED");
  }
}
