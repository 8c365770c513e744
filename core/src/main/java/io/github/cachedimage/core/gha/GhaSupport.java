package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code CachedImages} calls around one build for the gha cache: {@link #prepare} before
 * buildx runs (preflight, defaults, warnings), {@link #redact} on every line that reaches a log or
 * an exception, {@link #forRecord} on the spec that goes into the record, and {@link #summarize}
 * after ensure, built or not. One instance per {@code ensure} call (it remembers the plan).
 */
public final class GhaSupport {

  private final Map<String, String> env;
  private final boolean strict;
  private GhaPlan plan;
  private List<CacheSpec> usedFrom = List.of();
  private List<CacheSpec> usedTo = List.of();

  /**
   * @param env the environment the buildx process inherits ({@code System.getenv()})
   * @param strict fail instead of dropping a gha cache that cannot work
   */
  public GhaSupport(Map<String, String> env, boolean strict) {
    this.env = Map.copyOf(env);
    this.strict = strict;
  }

  /**
   * Runs the preflight for the spec's cache entries, logs what it found, and returns the entries to
   * build with (gha ones with our defaults, or dropped).
   *
   * @throws GhaCacheUnavailableException in strict mode, when a gha entry cannot work
   */
  public GhaPlan prepare(BuildSpec spec, Buildx.Info info, BuildLog log) {
    plan =
        GhaPreflight.plan(
            spec.image(),
            spec.cacheFrom(),
            spec.cacheTo(),
            env,
            () -> BuilderFacts.of(info, info.buildkitVersion(), info.engineVersion()),
            strict,
            spec.failOnCacheExportError());
    plan.infos().forEach(m -> log.info(redact(m)));
    plan.warnings().forEach(m -> log.warn(redact(m)));
    return plan;
  }

  /** The cache entries the build finally ran with (for the summary). */
  public void used(List<CacheSpec> cacheFrom, List<CacheSpec> cacheTo) {
    usedFrom = List.copyOf(cacheFrom);
    usedTo = List.copyOf(cacheTo);
  }

  /** The line without secrets: token attributes and the runner's token masked. */
  public String redact(String line) {
    return Redaction.redact(line, env);
  }

  /**
   * The spec as it may be recorded: without the token attributes of its cache entries (a rebuild
   * from the record, e.g. by the JUnit extension, gets the token from the environment as buildx
   * does; a masked value would be passed on as if it were one).
   */
  public static BuildSpec forRecord(BuildSpec spec) {
    List<CacheSpec> from = Redaction.withoutSecrets(spec.cacheFrom());
    List<CacheSpec> to = Redaction.withoutSecrets(spec.cacheTo());
    if (from.equals(spec.cacheFrom()) && to.equals(spec.cacheTo())) {
      return spec;
    }
    return spec.withCaches(from, to);
  }

  /** Whether a job summary is asked for ({@code GITHUB_STEP_SUMMARY} is set). */
  public boolean summaryRequested() {
    return GhaStepSummary.requested(env);
  }

  /**
   * Appends the image's row to the job summary when {@code GITHUB_STEP_SUMMARY} is set. A summary
   * that cannot be written is a warning: it must never fail a build.
   */
  public void summarize(BuildRecord record, boolean built, Duration elapsed, BuildLog log) {
    if (!summaryRequested()) {
      return; // not on a runner: nothing to build a row for
    }
    BuildRecord.CacheSummary cache = record.cacheSummary();
    String note = null;
    if (plan != null && plan.status() == GhaPlan.Status.OFF) {
      note = "gha off: " + plan.reason();
    }
    GhaStepSummary.Row row =
        new GhaStepSummary.Row(
            record.image(),
            built,
            cache == null ? 0 : cache.cached(),
            cache == null ? 0 : cache.steps(),
            elapsed,
            built ? GhaStepSummary.describeCaches(usedFrom, usedTo) : "not needed",
            note);
    try {
      GhaStepSummary.append(env, row)
          .ifPresent(f -> log.debug(record.image() + ": wrote the job summary row to " + f));
    } catch (CachedImageException e) {
      log.warn(record.image() + ": " + redact(e.getMessage()) + ": " + e.getCause());
    }
  }
}
