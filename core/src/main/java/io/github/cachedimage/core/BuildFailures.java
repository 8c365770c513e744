package io.github.cachedimage.core;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.BrokenBuildCache;
import io.github.cachedimage.core.engine.BuildProgress;
import io.github.cachedimage.core.spec.BuildSpec;
import java.util.List;

/** What a failed build says: the step, BuildKit's error and the last lines of output. */
final class BuildFailures {
  private static final String FAIL_ON_EXPORT =
      " (failOnCacheExportError is set; unset it to build on with a warning)";

  private BuildFailures() {}

  /** buildx exited with {@code exit}. */
  static BuildFailedException of(BuildSpec spec, int exit, BuildProgress progress) {
    if (progress.failedStep() == null && !progress.exportErrors().isEmpty()) {
      // only the cache export failed: buildx fails the build when ignore-error is not set
      return new BuildFailedException(
          spec.image()
              + ": "
              + progress.exportErrors().get(0)
              + (spec.failOnCacheExportError() ? FAIL_ON_EXPORT : ""),
          null,
          progress.failureOutput());
    }
    StringBuilder message = new StringBuilder(spec.image()).append(": docker buildx build failed");
    if (progress.failedStep() != null) {
      message.append(" at step ").append(progress.failedStep());
    }
    String error = progress.error();
    message.append(error != null ? ": " + error : " with exit code " + exit);
    List<String> lines = progress.failureOutput();
    if (!lines.isEmpty()) {
      message.append("\nlast output:");
      lines.forEach(l -> message.append("\n  ").append(l));
    }
    return new BuildFailedException(message.toString(), progress.failedStep(), lines);
  }

  /** Building again after removing a broken cache record failed on a broken record again. */
  static BuildFailedException brokenCacheStays(BuildSpec spec, int exit, BuildProgress progress) {
    BuildFailedException failed = of(spec, exit, progress);
    return new BuildFailedException(
        failed.getMessage()
            + "\n"
            + HelpfulSuggestions.brokenBuildCacheStays(spec.builder()).strip(),
        failed.failedStep(),
        progress.failureOutput());
  }

  /** The broken cache record could not be removed. */
  static BuildFailedException brokenCacheStays(BuildSpec spec, BrokenBuildCache broken) {
    return new BuildFailedException(
        spec.image()
            + ": docker buildx build failed: "
            + broken.error()
            + "."
            + HelpfulSuggestions.brokenBuildCacheStays(spec.builder()),
        null,
        List.of());
  }

  /** buildx succeeded, but a cache export failed and the spec fails on that. */
  static BuildFailedException exportFailed(BuildSpec spec, BuildProgress progress) {
    return new BuildFailedException(
        spec.image() + ": " + progress.exportErrors().get(0) + FAIL_ON_EXPORT,
        null,
        progress.failureOutput());
  }
}
