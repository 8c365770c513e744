package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.BuildRecord.CacheSummary;
import java.time.Duration;
import java.util.Locale;

/** The outcome of {@link CachedImages#ensure}. */
public final class EnsureResult {
  private final String image;
  private final Freshness before;
  private final BuildRecord record; // null: the one behind the verdict, read when asked for
  private final boolean built;
  private final boolean pulled;
  private final String imageId;
  private final String contentTag;
  private final boolean contentTagVerified;
  private final Duration elapsed;

  private EnsureResult(
      String image,
      Freshness before,
      BuildRecord record,
      boolean built,
      boolean pulled,
      String imageId,
      String contentTag,
      boolean contentTagVerified,
      Duration elapsed) {
    this.image = image;
    this.before = before;
    this.record = record;
    this.built = built;
    this.pulled = pulled;
    this.imageId = imageId;
    this.contentTag = contentTag;
    this.contentTagVerified = contentTagVerified;
    this.elapsed = elapsed;
  }

  /** Built now: the record just written. */
  static EnsureResult built(
      BuildRecord record, Freshness before, boolean contentTagVerified, Duration elapsed) {
    return new EnsureResult(
        record.image(),
        before,
        record,
        true,
        false,
        record.imageId(),
        record.contentTag(),
        contentTagVerified,
        elapsed);
  }

  /** Up to date: the record behind the verdict is read only when asked for. */
  static EnsureResult upToDate(
      String image,
      Freshness before,
      String contentTag,
      boolean contentTagVerified,
      Duration elapsed) {
    return new EnsureResult(
        image,
        before,
        null,
        false,
        false,
        before.imageId(),
        contentTag,
        contentTagVerified,
        elapsed);
  }

  /** Pulled instead of built: another runner built these inputs (fingerprint-keyed reuse). */
  static EnsureResult pulled(BuildRecord record, Freshness before, Duration elapsed) {
    return new EnsureResult(
        record.image(),
        before,
        record,
        false,
        true,
        record.imageId(),
        record.contentTag(),
        false,
        elapsed);
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

  /** The image's repository name. */
  public String image() {
    return image;
  }

  /** The ID of the image now present ({@code sha256:...}). */
  public String imageId() {
    return imageId;
  }

  /** Its content tag ({@code <image>:fp-<12 hex>}), which never moves to other inputs. */
  public String contentTag() {
    return contentTag;
  }

  /**
   * Whether the engine answered, during this call, that the content tag names {@link #imageId()}:
   * then a caller that runs the content tag need not ask again.
   */
  public boolean contentTagVerified() {
    return contentTagVerified;
  }

  /** Whether buildx ran. */
  public boolean built() {
    return built;
  }

  /** Whether the image was pulled from the reuse repository instead of built. */
  public boolean pulled() {
    return pulled;
  }

  /** The freshness found before building (after taking the lock). */
  public Freshness before() {
    return before;
  }

  /** Total time of the call. */
  public Duration elapsed() {
    return elapsed;
  }

  /**
   * The one line both adapters print: {@code greeter: up to date (sha256:1a2b3c4d5e6f, inputs
   * unchanged) in 41 ms}, or {@code greeter: built sha256:... in 2.1 s (inputs changed: app.jar),
   * 7/8 steps cached (from type=local,src=...)}: the build's time is buildx's.
   */
  public String summary() {
    if (pulled) {
      return image
          + ": pulled "
          + record.shortImageId()
          + " in "
          + String.format(Locale.ROOT, "%.2f", elapsed.toMillis() / 1000.0)
          + " s (built earlier from the same inputs; "
          + before.describe()
          + " here)";
    }
    if (!built) {
      return image
          + ": up to date ("
          + HelpfulSuggestions.shortId(imageId)
          + ", inputs unchanged) in "
          + elapsed.toMillis()
          + " ms";
    }
    CacheSummary s = record.cacheSummary();
    return image
        + ": built "
        + record.shortImageId()
        + " in "
        + String.format(Locale.ROOT, "%.1f", record.buildMillis() / 1000.0)
        + " s ("
        + before.describe()
        + "), "
        + s.cached()
        + "/"
        + s.steps()
        + " steps cached"
        + (s.from().isEmpty()
            ? " (no cache to import)"
            : " (from " + String.join(", ", s.from()) + ")");
  }

  @Override
  public String toString() {
    return "EnsureResult[" + imageId + ", built=" + built + ", " + before + ", " + elapsed + "]";
  }
}
