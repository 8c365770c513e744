package io.github.cachedimage.core;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.dockerfile.BaseImages;
import io.github.cachedimage.core.engine.BrokenBuildCache;
import io.github.cachedimage.core.engine.BuildProgress;
import io.github.cachedimage.core.spec.BuildSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a failed build says: the step, BuildKit's error and the last lines of output. */
final class BuildFailures {
  private static final String FAIL_ON_EXPORT =
      " (failOnCacheExportError is set; unset it to build on with a warning)";

  private static final Pattern MISSING_BLOB =
      Pattern.compile(
          "could not fetch content descriptor (sha256:[0-9a-f]{12})[0-9a-f]* .*from remote: not"
              + " found");

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
    String hint = stageHint(spec, message);
    if (hint != null) {
      message.append("\n").append(hint);
    }
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

  /**
   * When BuildKit failed to find an image that a {@code COPY --from} names and the Dockerfile has
   * no stage of that name: most likely a misspelt stage, which BuildKit's error does not suggest.
   */
  private static String stageHint(BuildSpec spec, CharSequence failure) {
    String dockerfile;
    try {
      dockerfile = Files.readString(spec.dockerfile());
    } catch (IOException | RuntimeException e) {
      return null;
    }
    String text = failure.toString();
    for (String image : BaseImages.copiedFromImages(dockerfile, spec.buildArgs())) {
      if (image.indexOf('/') < 0
          && image.indexOf(':') < 0
          && image.indexOf('@') < 0
          && text.contains("docker.io/library/" + image + ":latest")) {
        return HelpfulSuggestions.notAStage(
            image, spec.dockerfile(), BaseImages.stageNames(dockerfile));
      }
    }
    return null;
  }

  /**
   * The blob a failed build could not fetch from a remote cache ({@code sha256:} and 12 hex), or
   * null. BuildKit trusts a cache's index, marks the steps cached, and only fails when it copies
   * their layers, long after the import "succeeded": {@code failed to copy: httpReadSeeker: failed
   * open: could not fetch content descriptor sha256:... (...) from remote: not found}.
   */
  static String missingRemoteBlob(BuildProgress progress) {
    String error = progress.error();
    if (error == null) {
      return null;
    }
    Matcher m = MISSING_BLOB.matcher(error);
    return m.find() ? m.group(1) : null;
  }

  /** buildx succeeded, but a cache export failed and the spec fails on that. */
  static BuildFailedException exportFailed(BuildSpec spec, BuildProgress progress) {
    return new BuildFailedException(
        spec.image() + ": " + progress.exportErrors().get(0) + FAIL_ON_EXPORT,
        null,
        progress.failureOutput());
  }
}
