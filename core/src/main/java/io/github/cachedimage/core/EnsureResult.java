package io.github.cachedimage.core;

import java.time.Duration;

/** The outcome of {@link CachedImages#ensure}. */
public final class EnsureResult {
  private final Freshness before;
  private final BuildRecord record; // null: the one behind the verdict, read when asked for
  private final boolean built;
  private final String imageId;
  private final String contentTag;
  private final Duration elapsed;

  /**
   * @param record the record of the image now present
   * @param built whether buildx ran
   * @param before the freshness found before building (after taking the lock)
   * @param elapsed total time of the call
   */
  public EnsureResult(BuildRecord record, boolean built, Freshness before, Duration elapsed) {
    this.before = before;
    this.record = record;
    this.built = built;
    this.imageId = record.imageId();
    this.contentTag = record.contentTag();
    this.elapsed = elapsed;
  }

  /** Up to date, answered from the record's index: the record is read when asked for. */
  EnsureResult(Freshness before, String imageId, String contentTag, Duration elapsed) {
    this.before = before;
    this.record = null;
    this.built = false;
    this.imageId = imageId;
    this.contentTag = contentTag;
    this.elapsed = elapsed;
  }

  /**
   * The record of the image now present. When nothing was built and the check was answered from the
   * record's index, this reads the record file (once).
   *
   * @throws CachedImageException if that record file changed since the check
   */
  public BuildRecord record() {
    return record != null ? record : before.record();
  }

  /** The ID of the image now present ({@code sha256:...}). */
  public String imageId() {
    return imageId;
  }

  /** Its content tag ({@code <image>:fp-<12 hex>}), which never moves to other inputs. */
  public String contentTag() {
    return contentTag;
  }

  /** Whether buildx ran. */
  public boolean built() {
    return built;
  }

  /** The freshness found before building (after taking the lock). */
  public Freshness before() {
    return before;
  }

  /** Total time of the call. */
  public Duration elapsed() {
    return elapsed;
  }

  @Override
  public String toString() {
    return "EnsureResult[" + imageId + ", built=" + built + ", " + before + ", " + elapsed + "]";
  }
}
