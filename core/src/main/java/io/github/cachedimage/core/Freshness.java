package io.github.cachedimage.core;

import java.util.List;

/**
 * Whether the recorded image can be used as it is.
 *
 * @param status the verdict
 * @param record the record read, or {@code null} when there is none
 * @param changedPaths for {@link Status#INPUTS_CHANGED}: context-relative paths (and pseudo paths
 *     such as {@code build-arg JAR} or {@code Dockerfile}) that differ, in order
 */
public record Freshness(Status status, BuildRecord record, List<String> changedPaths) {

  /** The verdicts, from best to worst. */
  public enum Status {
    /** Record fingerprint equals the current inputs and the engine has the recorded image. */
    FRESH,
    /** No record (never built here, or after {@code mvn clean}). */
    NO_RECORD,
    /** The inputs are unchanged but the engine no longer has the image. */
    IMAGE_GONE,
    /** Some input differs from the recorded build. */
    INPUTS_CHANGED
  }

  public Freshness {
    changedPaths = changedPaths == null ? List.of() : List.copyOf(changedPaths);
  }

  public boolean isFresh() {
    return status == Status.FRESH;
  }

  /**
   * Why, in words for one log line: {@code up to date}, {@code no record}, {@code image sha256:...
   * is gone}, {@code inputs changed: src/a.txt, Dockerfile, ... (12 paths)}.
   */
  public String describe() {
    return switch (status) {
      case FRESH -> "up to date";
      case NO_RECORD -> "no record";
      case IMAGE_GONE -> "image " + record.shortImageId() + " is gone from the engine";
      case INPUTS_CHANGED -> {
        if (changedPaths.isEmpty()) {
          yield "inputs changed";
        }
        String shown = String.join(", ", changedPaths.subList(0, Math.min(5, changedPaths.size())));
        yield "inputs changed: "
            + shown
            + (changedPaths.size() > 5 ? ", ... (" + changedPaths.size() + " paths)" : "");
      }
    };
  }
}
