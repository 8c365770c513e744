package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.spec.CacheSpec;
import java.util.List;

/**
 * The cache flags to build with after {@link GhaPreflight}, and what to tell the user.
 *
 * @param cacheFrom the {@code --cache-from} entries: gha ones with defaults applied, or without the
 *     gha ones when they cannot work
 * @param cacheTo the {@code --cache-to} entries, likewise
 * @param status whether a gha cache was configured and is used
 * @param reason for {@link Status#OFF}: what is missing, in a few words (for the step summary);
 *     otherwise {@code null}
 * @param warnings log at WARN (gha dropped on GitHub Actions, suspicious attributes)
 * @param infos log at INFO (gha skipped off GitHub Actions, facts we could not check)
 */
public record GhaPlan(
    List<CacheSpec> cacheFrom,
    List<CacheSpec> cacheTo,
    Status status,
    String reason,
    List<String> warnings,
    List<String> infos) {

  /** Whether a gha cache is configured, and used. */
  public enum Status {
    /** No {@code type=gha} entry configured: nothing changed. */
    NOT_CONFIGURED,
    /** gha entries kept, with our defaults. */
    ON,
    /** gha entries configured but dropped (see {@link #reason}). */
    OFF
  }

  public GhaPlan {
    cacheFrom = List.copyOf(cacheFrom);
    cacheTo = List.copyOf(cacheTo);
    warnings = List.copyOf(warnings);
    infos = List.copyOf(infos);
  }
}
