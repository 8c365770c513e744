package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.BuildxVersion;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.dockerfile.BaseImages;
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
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.SecretNames;
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
    warnOfSecretLookingBuildArgs(spec);
    String contentTag = spec.image() + ":" + contentTagOf(fp);
    List<String> tags = List.of(contentTag, spec.image() + ":latest");
    Path metadata = null;
    try (CacheFlags caches = CacheFlags.plan(spec, info, gha, defaultCacheRoot, log)) {
      metadata = metadataFile(spec, store);
      BuildxRuns.Outcome run =
          new BuildxRuns(log, images, buildx, gha)
              .run(spec, tags, caches, metadata, () -> store.record().orElse(null));
      BuildProgress progress = run.progress();
      long buildMillis = run.millis();
      List<CacheSpec> imported = run.imported();
      BuildMetadata meta = BuildMetadata.parse(Files.readAllBytes(metadata));
      Optional<String> tagged = images.findImage(contentTag);
      String imageId =
          tagged.or(() -> loadedImage(meta)).orElseThrow(() -> notLoaded(spec, contentTag, info));
      caches.promote(spec.image(), run.defaultExportFailureTold());
      CacheSummary summary =
          new CacheSummary(
              progress.steps(),
              progress.cachedSteps(),
              imported.stream().map(c -> Redaction.redact(c).toBuildxArgument()).toList());
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

  /**
   * Where buildx writes its metadata: next to the record, so a directory that takes no writes fails
   * here, before a build whose record could not be kept.
   */
  private static Path metadataFile(BuildSpec spec, RecordStore store) {
    try {
      Files.createDirectories(store.directory());
      return Files.createTempFile(store.directory(), ".metadata-", ".json");
    } catch (IOException e) {
      throw new CachedImageException(
          HelpfulSuggestions.recordDirectoryUnwritable(
              spec.image(), store.directory(), HelpfulSuggestions.ioCause(e)),
          e);
    }
  }

  /** A secret passed as a build arg leaks: say so (by name; the value is never printed). */
  private void warnOfSecretLookingBuildArgs(BuildSpec spec) {
    for (String name : SecretNames.inBuildArgs(spec.buildArgs())) {
      log.warn(spec.image() + ": " + HelpfulSuggestions.secretLookingBuildArg(name));
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
