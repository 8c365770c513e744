package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.record.BuildRecord;
import java.util.List;
import java.util.function.Supplier;

/**
 * Whether the recorded image can be used as it is: the verdict, and the record it was made against.
 */
public final class Freshness {

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

  private final Status status;
  private final String imageId;
  private final Supplier<BuildRecord> record;
  private final List<String> changedPaths;
  private final String recordProblem;

  /**
   * @param status the verdict
   * @param record the record read, or {@code null} when there is none
   * @param changedPaths for {@link Status#INPUTS_CHANGED}: context-relative paths (and pseudo paths
   *     such as {@code build-arg JAR} or {@code Dockerfile}) that differ, in order
   */
  public Freshness(Status status, BuildRecord record, List<String> changedPaths) {
    this(status, record == null ? null : record.imageId(), () -> record, changedPaths, null);
  }

  private Freshness(
      Status status,
      String imageId,
      Supplier<BuildRecord> record,
      List<String> changedPaths,
      String recordProblem) {
    this.status = status;
    this.imageId = imageId;
    this.record = record;
    this.changedPaths = changedPaths == null ? List.of() : List.copyOf(changedPaths);
    this.recordProblem = recordProblem;
  }

  /** A verdict made from the record's index; the record itself is read when asked for. */
  static Freshness fromIndex(Status status, String imageId, Supplier<BuildRecord> record) {
    return new Freshness(status, imageId, record, List.of(), null);
  }

  /** Inputs changed, found from the record's index; the record itself is read when asked for. */
  static Freshness changed(String imageId, Supplier<BuildRecord> record, List<String> changes) {
    return new Freshness(Status.INPUTS_CHANGED, imageId, record, changes, null);
  }

  /**
   * No usable record: none at all ({@code problem} {@code null}), or a file that is not one (why).
   */
  static Freshness noRecord(String problem) {
    return new Freshness(Status.NO_RECORD, null, () -> null, List.of(), problem);
  }

  /**
   * For {@link Status#NO_RECORD}: why the record file there is not usable ({@code <file>: record
   * format 1, this version reads 2}), or {@code null} when there is no record file at all.
   */
  public String recordProblem() {
    return recordProblem;
  }

  public Status status() {
    return status;
  }

  /**
   * The record the verdict was made against, or {@code null} when there is none. After a check
   * answered from the record's index this reads the record file (once).
   *
   * @throws CachedImageException if the record file changed since the check
   */
  public BuildRecord record() {
    return record.get();
  }

  /** The recorded image ID, or {@code null} when there is no record. */
  public String imageId() {
    return imageId;
  }

  /**
   * For {@link Status#INPUTS_CHANGED}: context-relative paths (and pseudo paths such as {@code
   * build-arg JAR} or {@code Dockerfile}) that differ, in order.
   */
  public List<String> changedPaths() {
    return changedPaths;
  }

  public boolean isFresh() {
    return status == Status.FRESH;
  }

  /**
   * Why, in words for one log line: {@code up to date}, {@code no record} (or {@code no usable
   * record (<file>: <why>)}), {@code image sha256:... is gone}, {@code inputs changed: src/a.txt,
   * Dockerfile, ... (12 paths)}.
   */
  public String describe() {
    return switch (status) {
      case FRESH -> "up to date";
      case NO_RECORD ->
          recordProblem == null ? "no record" : "no usable record (" + recordProblem + ")";
      case IMAGE_GONE ->
          "image " + HelpfulSuggestions.shortId(imageId) + " is gone from the engine";
      case INPUTS_CHANGED -> {
        if (changedPaths.isEmpty()) {
          yield "inputs changed";
        }
        boolean basesOnly = true;
        for (String change : changedPaths) {
          basesOnly &= change.startsWith("base image ");
        }
        if (basesOnly) {
          yield String.join(", ", changedPaths);
        }
        String shown = String.join(", ", changedPaths.subList(0, Math.min(5, changedPaths.size())));
        yield "inputs changed: "
            + shown
            + (changedPaths.size() > 5 ? ", ... (" + changedPaths.size() + " paths)" : "");
      }
    };
  }

  @Override
  public String toString() {
    return "Freshness[" + status + ", " + imageId + ", " + changedPaths + "]";
  }
}
