package io.github.cachedimage.core.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A build cache record BuildKit can no longer use: {@code failed to commit X to Y during finalize:
 * failed to stat active key during commit: snapshot X does not exist: not found}.
 *
 * <p>How it comes about: BuildKit keeps a step's result as a record with a mutable snapshot {@code
 * X} and commits it into snapshot {@code Y} only when something needs the layer (exporting the
 * image, the cache). That finalize asks containerd to commit {@code X} (which removes the active
 * key), then updates its own metadata. When the build's client goes away during that call (a killed
 * Maven JVM's orphaned {@code docker buildx build} dies on its next write to the closed pipe, which
 * is right when the export starts), the commit can take effect in containerd while the record still
 * names {@code X}. Every later build that hits that cache key, plain {@code docker buildx build}
 * included, then fails the same way until the record is removed. Removing exactly the record {@code
 * X} ({@code docker buildx prune --all --filter id=X}) cures it: BuildKit runs the step again.
 */
public record BrokenBuildCache(String missingSnapshot, String error) {

  static final String MARKER = "failed to stat active key during commit";

  private static final Pattern COMMIT =
      Pattern.compile("failed to commit (\\S+) to \\S+ during finalize");
  private static final Pattern MISSING = Pattern.compile("snapshot (\\S+) does not exist");

  /**
   * The broken record a failed build reported, or {@code null}. {@link #missingSnapshot()} is
   * {@code null} when the error has the marker but names no snapshot in a form known here.
   */
  public static BrokenBuildCache in(BuildProgress progress) {
    for (String error : new String[] {progress.error(), progress.finalError()}) {
      if (error != null && error.contains(MARKER)) {
        return new BrokenBuildCache(snapshot(error), error);
      }
    }
    return null;
  }

  private static String snapshot(String error) {
    Matcher commit = COMMIT.matcher(error);
    if (commit.find()) {
      return commit.group(1);
    }
    Matcher missing = MISSING.matcher(error);
    return missing.find() ? missing.group(1) : null;
  }
}
