package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.BuildxVersion;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.dockerfile.BaseImages;
import io.github.cachedimage.core.engine.BrokenBuildCache;
import io.github.cachedimage.core.engine.BuildMetadata;
import io.github.cachedimage.core.engine.BuildProgress;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.BuildxUnsupportedException;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.engine.EngineInfo;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.gha.GhaSupport;
import io.github.cachedimage.core.gha.Redaction;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.BuildRecord.CacheSummary;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One build: checks the builder, plans the cache flags, runs {@code docker buildx build} with its
 * progress streamed, resolves the ID of the image it loaded and records it (record and index). A
 * build that fails records nothing; the previous record stays as it was.
 */
final class ImageBuild {

  /** The record of what was built, and whether the engine showed its content tag naming it. */
  record Built(BuildRecord record, boolean contentTagVerified) {}

  private final BuildLog log;
  private final DockerImages images;
  private final Buildx buildx;
  private final Path defaultCacheRoot;

  ImageBuild(BuildLog log, DockerImages images, Buildx buildx, Path defaultCacheRoot) {
    this.log = log;
    this.images = images;
    this.buildx = buildx;
    this.defaultCacheRoot = defaultCacheRoot;
  }

  /**
   * @param fp the fingerprint of the inputs, from the check just made
   * @param probe the builder's facts, perhaps asked already while the context was hashed
   */
  Built run(
      BuildSpec spec,
      RecordStore store,
      Fingerprinter.Result fp,
      GhaSupport gha,
      BuilderProbe probe) {
    requireTarget(spec);
    requireSecretFiles(spec);
    if (!images.isReachable()) {
      throw new DockerUnavailableException(HelpfulSuggestions.dockerUnavailable(null));
    }
    EngineInfo engine = images.engine();
    Buildx.Info info = probe.get().onEngine(engine);
    if (BuildxVersion.tooOld(info.version())) {
      throw new BuildxUnsupportedException(HelpfulSuggestions.buildxTooOld(info.version()));
    }
    requireCapableEngine(engine, info);
    requireVisibleBases(spec, store, fp, info);
    String contentTag = spec.image() + ":" + contentTagOf(fp);
    List<String> tags = List.of(contentTag, spec.image() + ":latest");
    Path metadata = null;
    try (CacheFlags caches = CacheFlags.plan(spec, info, gha, defaultCacheRoot, log)) {
      Files.createDirectories(store.directory());
      metadata = Files.createTempFile(store.directory(), ".metadata-", ".json");
      gha.used(caches.from(), caches.to());
      Buildx.Invocation invocation =
          new Buildx.Invocation(spec, tags, caches.from(), caches.to(), metadata);
      long buildStart = System.nanoTime();
      BuildProgress progress = new BuildProgress();
      int exit = buildx.build(invocation, progressTo(spec, gha, progress));
      BrokenBuildCache broken = exit == 0 ? null : BrokenBuildCache.in(progress);
      if (broken != null) {
        // a record BuildKit cannot commit fails every build of this step until it goes: remove
        // it and build once more (see BrokenBuildCache)
        String done = removeBrokenRecord(spec, broken);
        log.warn(
            HelpfulSuggestions.brokenBuildCacheRecovered(
                spec.image(), broken.missingSnapshot(), done));
        progress = new BuildProgress();
        exit = buildx.build(invocation, progressTo(spec, gha, progress));
        if (exit != 0 && BrokenBuildCache.in(progress) != null) {
          throw BuildFailures.brokenCacheStays(spec, exit, progress);
        }
      }
      long buildMillis = (System.nanoTime() - buildStart) / 1_000_000;
      if (exit != 0 && !images.isReachable()) {
        // buildx only says its connection ended (EOF, Unavailable): name the cause
        throw new DockerUnavailableException(
            HelpfulSuggestions.engineLostDuringBuild(spec.image(), progress.error()));
      }
      if (exit != 0) {
        throw BuildFailures.of(spec, exit, progress);
      }
      if (spec.failOnCacheExportError() && !progress.exportErrors().isEmpty()) {
        throw BuildFailures.exportFailed(spec, progress);
      }
      BuildMetadata meta = BuildMetadata.parse(Files.readAllBytes(metadata));
      Optional<String> tagged = images.findImage(contentTag);
      String imageId =
          tagged.or(() -> loadedImage(meta)).orElseThrow(() -> notLoaded(spec, contentTag, info));
      caches.promote(spec.image());
      CacheSummary summary =
          new CacheSummary(
              progress.steps(),
              progress.cachedSteps(),
              caches.from().stream().map(c -> Redaction.redact(c).toBuildxArgument()).toList());
      BuildRecord record =
          new BuildRecord(
              spec.image(),
              GhaSupport.forRecord(spec),
              fp.fingerprint(),
              imageId,
              meta.digest(),
              tags,
              contentTag,
              Instant.now(),
              buildMillis,
              summary,
              fp.files(),
              fp.bases(),
              new BuildRecord.Engine(engine.id(), engine.host()),
              null,
              BuildRecord.FORMAT_VERSION);
      if (!store.write(record, fp)) {
        log.debug(spec.image() + ": no record index written; the next check reads the record");
      }
      return new Built(record, tagged.isPresent() && tagged.get().equals(imageId));
    } catch (IOException e) {
      throw new CachedImageException(spec.image() + ": " + e, e);
    } finally {
      deleteQuietly(metadata);
    }
  }

  private java.util.function.Consumer<String> progressTo(
      BuildSpec spec, GhaSupport gha, BuildProgress progress) {
    return raw -> {
      String line = gha.redact(raw);
      log.progress(line);
      String warning = progress.accept(line);
      if (warning != null) {
        log.warn(spec.image() + ": " + warning);
      }
    };
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

  /** The tag that names an image by its inputs: {@code fp-} and the fingerprint's first 12 hex. */
  static String contentTagOf(Fingerprinter.Result fp) {
    return "fp-" + fp.fingerprint().substring(0, 12);
  }

  /**
   * An unknown {@code --target} fails here, naming the stages there are, rather than after buildx
   * started ({@code target stage "x" could not be found}, with no hint of the right name).
   */
  private static void requireTarget(BuildSpec spec) {
    if (spec.target() == null) {
      return;
    }
    List<String> stages;
    try {
      stages = BaseImages.stageNames(Files.readString(spec.dockerfile()));
    } catch (IOException e) {
      return; // the check that made the fingerprint read it; buildx reports what changed since
    }
    if (stages != null && !stages.contains(spec.target().toLowerCase(Locale.ROOT))) {
      throw new InvalidBuildSpecException(
          "target",
          HelpfulSuggestions.unknownTarget(spec.target(), spec.dockerfile(), stages),
          spec.dockerfile());
    }
  }

  /**
   * A secret file that is not there fails here, naming the secret and {@code <secrets>}; buildx
   * would say only {@code failed to stat <path>}. Only the path is looked at, never the content.
   */
  private static void requireSecretFiles(BuildSpec spec) {
    for (SecretSpec secret : spec.secrets()) {
      String file = secret.file();
      if (file != null && !file.isBlank() && !Files.isRegularFile(Path.of(file))) {
        throw new InvalidBuildSpecException(
            "secrets",
            HelpfulSuggestions.secretFileMissing(secret.id(), Path.of(file).toAbsolutePath()));
      }
    }
  }

  /**
   * The {@code docker} driver builds inside the engine itself: Podman's Docker-compatible service
   * has no BuildKit to do it, and engines before 24 cannot export every cache or load reliably.
   * Other drivers run their own BuildKit and only load into the engine.
   */
  private static void requireCapableEngine(EngineInfo engine, Buildx.Info info) {
    if (!"docker".equals(info.driver())) {
      return;
    }
    if (engine.podman()) {
      throw new BuildxUnsupportedException(HelpfulSuggestions.podmanEngine(engine.host()));
    }
    if (engine.tooOld()) {
      throw new BuildxUnsupportedException(
          HelpfulSuggestions.engineTooOld(
              engine.host(), engine.version(), EngineInfo.MINIMUM_MAJOR_VERSION));
    }
  }

  /**
   * A builder other than the {@code docker} driver runs BuildKit apart from the engine and cannot
   * see the engine's images: a base image that cached-image built here (it has a record next to
   * this one, and was only loaded, never pushed) would fail late, as BuildKit's "pull access
   * denied". Say so before building.
   */
  private static void requireVisibleBases(
      BuildSpec spec, RecordStore store, Fingerprinter.Result fp, Buildx.Info info) {
    if ("docker".equals(info.driver())) {
      return;
    }
    for (String ref : fp.bases().keySet()) {
      String repository = UpstreamImages.repository(ref);
      if (repository != null
          && !fp.bases().get(ref).isEmpty()
          && Files.exists(new RecordStore(store.directory(), repository).recordFile())) {
        throw new BuildxUnsupportedException(
            HelpfulSuggestions.baseOnlyInEngine(spec.image(), ref, info.builder(), info.driver()));
      }
    }
  }

  /** The image buildx loaded, by the IDs its metadata names, when the content tag is not there. */
  private Optional<String> loadedImage(BuildMetadata meta) {
    for (String candidate : meta.imageIdCandidates()) {
      Optional<String> id = images.findImage(candidate);
      if (id.isPresent()) {
        return id;
      }
    }
    return Optional.empty();
  }

  private static CachedImageException notLoaded(
      BuildSpec spec, String contentTag, Buildx.Info info) {
    return new CachedImageException(
        spec.image()
            + ": buildx reported success but the engine has no image "
            + contentTag
            + " (is the builder '"
            + info.builder()
            + "' loading into this engine?)");
  }

  private void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.debug("could not delete " + file + ": " + e);
      }
    }
  }
}
