package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import java.util.List;

/**
 * {@code docker buildx build} failed. Carries the failing Dockerfile step (e.g. {@code [2/3] RUN
 * ./gradlew build}) when buildx named one, and the last lines of output.
 */
public class BuildFailedException extends CachedImageException {
  private final String failedStep;
  private final List<String> lastLines;

  public BuildFailedException(String message, String failedStep, List<String> lastLines) {
    super(message);
    this.failedStep = failedStep;
    this.lastLines = List.copyOf(lastLines);
  }

  /** The step that failed as buildx names it, or {@code null} when the failure was not a step. */
  public String failedStep() {
    return failedStep;
  }

  /** The last lines of buildx output (the failing step's output when known). */
  public List<String> lastLines() {
    return lastLines;
  }
}
