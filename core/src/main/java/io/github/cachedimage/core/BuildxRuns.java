package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.BrokenBuildCache;
import io.github.cachedimage.core.engine.BuildProgress;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.gha.GhaSupport;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs {@code docker buildx build} for one image: once, and once more without the remote cache
 * imports when their index named blobs they no longer have, or after removing a build cache record
 * whose snapshot is gone ({@link BrokenBuildCache}). Decides whether the run failed (only a cache
 * export that failed is not a failure, unless the spec says so) and tells each failing cache once
 * ({@link CacheFailures}).
 */
final class BuildxRuns {

  /**
   * @param progress what the last run printed
   * @param millis how long the last run took
   * @param imported the imports that worked
   * @param defaultExportFailureTold whether the default cache's export failed and was told
   */
  record Outcome(
      BuildProgress progress,
      long millis,
      List<CacheSpec> imported,
      boolean defaultExportFailureTold) {}

  private record Attempt(int exit, BuildProgress progress, long millis) {}

  private final BuildLog log;
  private final DockerImages images;
  private final Buildx buildx;
  private final GhaSupport gha;

  BuildxRuns(BuildLog log, DockerImages images, Buildx buildx, GhaSupport gha) {
    this.log = log;
    this.images = images;
    this.buildx = buildx;
    this.gha = gha;
  }

  /**
   * @param tags the content tag first
   * @throws BuildFailedException if the build failed
   */
  Outcome run(
      BuildSpec spec,
      List<String> tags,
      CacheFlags caches,
      Path metadata,
      Supplier<BuildRecord> previous)
      throws IOException {
    CacheImportMisses misses = new CacheImportMisses(caches.from(), previous);
    List<CacheSpec> configuredFrom = new ArrayList<>(caches.skipped().keySet());
    configuredFrom.addAll(caches.from());
    CacheFailures failures = new CacheFailures(configuredFrom, caches.to());
    caches.skipped().forEach(failures::importFailed);
    List<CacheSpec> from = caches.from();
    gha.used(from, caches.to());
    Attempt attempt = attempt(spec, tags, from, caches.to(), metadata, misses);
    BrokenBuildCache broken = attempt.exit() == 0 ? null : BrokenBuildCache.in(attempt.progress());
    if (broken != null) {
      // a record BuildKit cannot commit fails every build of this step until it goes: remove it
      // and build once more (see BrokenBuildCache)
      String done = removeBrokenRecord(spec, broken);
      log.warn(
          HelpfulSuggestions.brokenBuildCacheRecovered(
              spec.image(), broken.missingSnapshot(), done));
      Files.write(metadata, new byte[0]);
      attempt = attempt(spec, tags, from, caches.to(), metadata, misses);
      if (attempt.exit() != 0 && BrokenBuildCache.in(attempt.progress()) != null) {
        throw BuildFailures.brokenCacheStays(spec, attempt.exit(), attempt.progress());
      }
    }
    String evicted =
        attempt.exit() == 0 ? null : BuildFailures.missingRemoteBlob(attempt.progress());
    List<CacheSpec> remote = from.stream().filter(c -> !c.type().equals("local")).toList();
    if (evicted != null && !remote.isEmpty()) {
      // A remote cache whose index names blobs it no longer has fails the build after the steps
      // were "cached"; without its imports the build runs, and the exports write it anew.
      for (CacheSpec gone : remote) {
        failures.importFailed(gone, "layer blob " + evicted + " not found there (evicted?)");
      }
      from = from.stream().filter(c -> c.type().equals("local")).toList();
      Files.write(metadata, new byte[0]);
      attempt = attempt(spec, tags, from, caches.to(), metadata, misses);
    }
    BuildProgress progress = attempt.progress();
    progress.cacheFailures().forEach(failures::add);
    if (attempt.exit() != 0 && !images.isReachable()) {
      // buildx only says its connection ended (EOF, Unavailable): name the cause
      throw new DockerUnavailableException(
          HelpfulSuggestions.engineLostDuringBuild(spec.image(), progress.error()));
    }
    if (attempt.exit() != 0
        && !(exportFailedOnly(spec, progress) && images.findImage(tags.get(0)).isPresent())) {
      throw BuildFailures.of(spec, attempt.exit(), progress);
    }
    if (spec.failOnCacheExportError() && !progress.exportErrors().isEmpty()) {
      throw BuildFailures.exportFailed(spec, progress);
    }
    if (caches.defaultExport() != null) {
      failures.hint(
          caches.defaultExport(),
          "free space there, or point -Dcachedimage.cacheDirectory (or CACHED_IMAGE_CACHE_DIR)"
              + " at another directory");
    }
    for (String warning : failures.warnings()) {
      // an import that only missed may be expected (nothing exported there yet): one INFO line
      tell(
          spec,
          warning.startsWith("cache import from ") ? misses.classify(warning) : null,
          warning);
    }
    List<CacheSpec> imported = failures.imported(from);
    gha.used(imported, failures.exported(caches.to()));
    return new Outcome(
        progress, attempt.millis(), imported, failures.exportFailed(caches.defaultExport()));
  }

  /**
   * Exactly the broken record when the error names it; else every unused record of the builder
   * (what {@code docker buildx prune} removes), which the warning then says.
   */
  private String removeBrokenRecord(BuildSpec spec, BrokenBuildCache broken) {
    List<String> ids =
        broken.missingSnapshot() == null ? List.of() : List.of(broken.missingSnapshot());
    try {
      return buildx.pruneCache(spec.builder(), ids);
    } catch (CachedImageException e) {
      log.debug(spec.image() + ": " + e.getMessage());
      throw BuildFailures.brokenCacheStays(spec, broken);
    }
  }

  /**
   * Whether only a cache export failed, one that is not to fail the build. buildx still exits
   * non-zero when it writes a {@code type=local} cache itself and the disk is full ({@code
   * ignore-error} covers BuildKit's side only); the image was loaded and tagged before.
   */
  private static boolean exportFailedOnly(BuildSpec spec, BuildProgress progress) {
    return !spec.failOnCacheExportError()
        && progress.failedStep() == null
        && !progress.exportErrors().isEmpty();
  }

  private void tell(BuildSpec spec, CacheImportMisses.Verdict verdict, String warning) {
    if (verdict == null || verdict.warning()) {
      log.warn(spec.image() + ": " + gha.redact(verdict == null ? warning : verdict.message()));
    } else {
      log.info(spec.image() + ": " + gha.redact(verdict.message()));
    }
  }

  private Attempt attempt(
      BuildSpec spec,
      List<String> tags,
      List<CacheSpec> from,
      List<CacheSpec> to,
      Path metadata,
      CacheImportMisses misses) {
    BuildProgress progress = new BuildProgress();
    long start = System.nanoTime();
    int exit =
        buildx.build(
            new Buildx.Invocation(spec, tags, from, to, metadata),
            raw -> {
              String line = gha.redact(raw);
              String warning = progress.accept(line);
              if (progress.saidByWarning()) {
                log.debug(line); // the warning (or INFO line) below says it
              } else {
                log.progress(line);
              }
              if (warning != null) {
                tell(spec, misses.classify(warning), warning);
              }
            });
    return new Attempt(exit, progress, (System.nanoTime() - start) / 1_000_000);
  }
}
