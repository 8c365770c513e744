package io.github.cachedimage.it.plugin;

import io.github.cachedimage.it.support.BuildOutput;
import io.github.cachedimage.it.support.MavenSample;

/** Reading buildx's plain progress out of a Maven log. */
final class PluginLogs {
  private PluginLogs() {}

  /**
   * Whether the step whose text contains {@code stepText} came from the cache: {@code CACHED}, or
   * only its layers fetched from the cache, then {@code DONE} (see {@link BuildOutput}).
   */
  static boolean stepCached(MavenSample.Run run, String stepText) {
    return BuildOutput.stepFromCache(run.log(), stepText);
  }

  /** Whether the step whose text contains {@code stepText} was executed to completion. */
  static boolean stepRan(MavenSample.Run run, String stepText) {
    return BuildOutput.stepRan(run.log(), stepText);
  }
}
