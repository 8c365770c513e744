package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.BuildxUnsupportedException;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.engine.EngineInfo;
import io.github.cachedimage.core.engine.ImageTransfer;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.gha.GhaSupport;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordIndex;
import io.github.cachedimage.core.record.RecordRead;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.registry.ImageReference;
import io.github.cachedimage.core.registry.RegistryClient;
import io.github.cachedimage.core.registry.RegistryCredentials;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.KeepContentTags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The entry point both adapters call: is the recorded image fresh, and if not, build it with
 * BuildKit's cache and record what was built.
 *
 * <pre>{@code
 * CachedImages images = CachedImages.create(log, new DockerJavaImages(dockerClient));
 * EnsureResult result = images.ensure(spec, moduleDir.resolve(RecordStore.DEFAULT_DIRECTORY));
 * String runnable = result.record().contentTag(); // or imageId()
 * }</pre>
 *
 * <p>Thread-safe. {@link #ensure} builds an image at most once at a time across threads and JVMs:
 * an in-JVM lock per record (file locks are held per JVM), then a file lock on {@code <image>.lock}
 * next to the record, then a re-check, so concurrent callers find the image the first one built.
 */
public final class CachedImages {

  private final BuildLog log;
  private final DockerImages images;
  private final Buildx buildx;
  private final Path defaultCacheRoot;
  private final Map<String, String> environment;
  private final boolean ghaStrict;
  private final String engineUse;
  private final Registries registries;
  private final KeepContentTags keepContentTags;

  /**
   * What fingerprint-keyed reuse and pushing need ({@link
   * io.github.cachedimage.core.spec.ReuseSpec}): the engine's pull and push, and where credentials
   * come from. Both are asked for only when an image is reused or pushed, never on the up-to-date
   * path (class loading, config files).
   */
  public record Registries(
      Supplier<ImageTransfer> transfer, Supplier<RegistryCredentials> credentials) {}

  public CachedImages(BuildLog log, DockerImages images, Buildx buildx) {
    this(log, images, buildx, null);
  }

  /**
   * @param defaultCacheRoot where the default local cache lives; {@code null} for {@link
   *     DefaultLocalCache#root()} ({@code ~/.cache/cached-image}, overridable)
   */
  public CachedImages(BuildLog log, DockerImages images, Buildx buildx, Path defaultCacheRoot) {
    this(
        log,
        images,
        buildx,
        defaultCacheRoot,
        System.getenv(),
        false,
        "this build uses",
        null,
        KeepContentTags.DEFAULT);
  }

  private CachedImages(
      BuildLog log,
      DockerImages images,
      Buildx buildx,
      Path defaultCacheRoot,
      Map<String, String> environment,
      boolean ghaStrict,
      String engineUse,
      Registries registries,
      KeepContentTags keepContentTags) {
    this.log = log;
    this.images = images;
    this.buildx = buildx;
    this.defaultCacheRoot = defaultCacheRoot;
    this.environment = Map.copyOf(environment);
    this.ghaStrict = ghaStrict;
    this.engineUse = engineUse;
    this.registries = registries;
    this.keepContentTags = Objects.requireNonNull(keepContentTags, "keepContentTags");
  }

  /**
   * The same, reading GitHub Actions variables ({@code ACTIONS_*}, {@code GITHUB_ACTIONS}, {@code
   * GITHUB_STEP_SUMMARY}) from this environment instead of {@code System.getenv()}, for tests. The
   * buildx process still inherits the real environment.
   */
  public CachedImages withEnvironment(Map<String, String> environment) {
    return new CachedImages(
        log,
        images,
        buildx,
        defaultCacheRoot,
        environment,
        ghaStrict,
        engineUse,
        registries,
        keepContentTags);
  }

  /**
   * The same, failing with {@link io.github.cachedimage.core.gha.GhaCacheUnavailableException} when
   * a {@code type=gha} cache is configured on GitHub Actions but cannot work (missing token, URL,
   * cache service v2, old buildx/BuildKit, a builder without the gha backend), instead of warning
   * and building without it.
   */
  public CachedImages withGhaStrict(boolean strict) {
    return new CachedImages(
        log,
        images,
        buildx,
        defaultCacheRoot,
        environment,
        strict,
        engineUse,
        registries,
        keepContentTags);
  }

  /** The same, able to reuse images through registries (needed when a spec sets reuse). */
  public CachedImages withRegistries(Registries registries) {
    return new CachedImages(
        log,
        images,
        buildx,
        defaultCacheRoot,
        environment,
        ghaStrict,
        engineUse,
        registries,
        keepContentTags);
  }

  /**
   * The same, naming what this engine is for when a rebuild is needed because the image was built
   * on another engine: {@code image built on engine A, <engineUse> engine B}. The JUnit extension
   * says {@code tests run on}; the default is {@code this build uses}.
   */
  public CachedImages withEngineUse(String engineUse) {
    return new CachedImages(
        log,
        images,
        buildx,
        defaultCacheRoot,
        environment,
        ghaStrict,
        engineUse,
        registries,
        keepContentTags);
  }

  /**
   * The same, keeping this many content tags of an image after a build or pull (newest first, the
   * current one included); superseded ones are untagged unless a container or a record uses them.
   * Default {@link KeepContentTags#DEFAULT}; {@link KeepContentTags#ALL} prunes nothing.
   */
  public CachedImages withKeepContentTags(KeepContentTags keep) {
    return new CachedImages(
        log, images, buildx, defaultCacheRoot, environment, ghaStrict, engineUse, registries, keep);
  }

  /**
   * With the real {@code docker buildx} CLI, pointed at {@code endpoint}: the engine {@code images}
   * asks, so the build loads where the check looks.
   */
  public static CachedImages create(
      BuildLog log, DockerImages images, Supplier<DockerEndpoint> endpoint) {
    return new CachedImages(log, images, new CliBuildx(endpoint));
  }

  /**
   * Whether the recorded image can be used: record present, fingerprint of the current inputs equal
   * to the recorded one, and the engine still has the recorded image ID. Runs no process; reads the
   * record's index (or the record), stats the context (rehashing only files whose stat changed) and
   * asks the engine once or twice.
   *
   * @throws InvalidBuildSpecException if the Dockerfile or context is missing or unreadable
   * @throws DockerUnavailableException if the engine cannot be asked
   */
  public Freshness check(BuildSpec spec, Path recordDirectory) {
    return new FreshnessCheck(images)
        .check(spec, new RecordStore(recordDirectory, spec.image()))
        .freshness();
  }

  /**
   * Makes sure the engine has an image built from the current inputs: returns at once when {@link
   * #check} says fresh (logging one {@code up to date} line), else builds with {@code docker buildx
   * build}, streams its progress, writes the record atomically and logs a summary ({@link
   * EnsureResult#summary()}).
   *
   * @throws InvalidBuildSpecException missing Dockerfile or context, unreadable file
   * @throws DockerUnavailableException no engine
   * @throws BuildxUnsupportedException buildx missing, too old, or unable to export the cache
   * @throws BuildFailedException a Dockerfile step failed (no record written)
   */
  public EnsureResult ensure(BuildSpec spec, Path recordDirectory) {
    return ensure(new RecordStore(recordDirectory, spec.image()), spec, null);
  }

  /**
   * As {@link #ensure(BuildSpec, Path)} for the spec the image was recorded with: the spec in the
   * record's index, else in the record, else {@code fallback}'s (given what reading the record
   * found, to say why in an error). The JUnit extension's entry point: it builds what the plugin
   * built, with the plugin's cache settings, and reads no JSON when the index decides. Recorded
   * base images with records of their own in the same directory are ensured first, upstream first,
   * so a base changed since the plugin ran is rebuilt before the image built on it.
   */
  public EnsureResult ensureRecorded(
      String image, Path recordDirectory, Function<RecordRead, BuildSpec> fallback) {
    RecordStore store = new RecordStore(recordDirectory, image);
    UpstreamImages.ensure(this, store, new java.util.ArrayList<>());
    return ensure(store, null, fallback);
  }

  /**
   * Pushes the recorded image under each tag, refusing when the record is stale (inputs changed,
   * image gone), and records what was pushed ({@code <image>.pushed.json}).
   *
   * @param tags plain tags, pushed to {@code repository} (else to the recorded reuse repository),
   *     or full references
   * @param repository e.g. {@code ghcr.io/acme/greeter}, or {@code null}
   * @return each reference with the manifest digest the registry stored, in order
   * @throws CachedImageException no record, a stale one, a bad reference or a failed push
   */
  public Map<String, String> push(
      String image, Path recordDirectory, List<String> tags, String repository) {
    if (registries == null) {
      throw new CachedImageException(image + ": this caller cannot reach registries");
    }
    RecordStore store = new RecordStore(recordDirectory, image);
    try (BuildLock lock = BuildLock.acquire(store, log)) {
      Map<String, String> out = new java.util.LinkedHashMap<>();
      for (ImagePush.Pushed p :
          new ImagePush(log, images, registries.transfer().get(), registries.credentials().get())
              .push(store, tags, repository)) {
        out.put(p.reference(), p.digest());
      }
      return out;
    }
  }

  /** No lambdas or method references on this path: it runs cold, once per JVM (see the note). */
  EnsureResult ensure(RecordStore store, BuildSpec spec, Function<RecordRead, BuildSpec> fallback) {
    long start = System.nanoTime();
    try (BuildLock lock = BuildLock.acquire(store, log)) {
      FreshnessCheck check = new FreshnessCheck(images);
      FreshnessCheck.Verdict verdict;
      BuilderProbe probe;
      if (spec != null) {
        probe = earlyProbe(spec, Files.exists(store.recordFile()));
        verdict = check.check(spec, store);
      } else {
        // the recorded spec: from the index when it has one, else from the record
        RecordIndex index = store.index().orElse(null);
        spec = index == null ? null : index.buildSpec();
        RecordRead read = null;
        if (spec == null) {
          read = store.read();
          spec =
              read.record() != null && read.record().spec() != null
                  ? read.record().spec()
                  : fallback.apply(read);
        }
        probe = earlyProbe(spec, index != null || read.record() != null);
        verdict = check.check(spec, store, index, read);
      }
      GhaSupport gha = new GhaSupport(environment, ghaStrict);
      EnsureResult result = ensureLocked(spec, store, verdict, probe, start, gha);
      if (gha.summaryRequested()) {
        gha.summarize(result.record(), result.built(), result.elapsed(), log);
      }
      return result;
    }
  }

  private EnsureResult ensureLocked(
      BuildSpec spec,
      RecordStore store,
      FreshnessCheck.Verdict verdict,
      BuilderProbe probe,
      long start,
      GhaSupport gha) {
    Freshness freshness = verdict.freshness();
    if (freshness.isFresh()) {
      String contentTag = keepIndex(verdict, store);
      EnsureResult result =
          EnsureResult.upToDate(
              spec.image(),
              freshness,
              contentTag,
              verdict.contentTagVerified(),
              Duration.ofNanos(System.nanoTime() - start));
      log.info(result.summary());
      return result;
    }
    ImageReuse reuse = null;
    ImageReference key = null;
    if (spec.reuse() != null) {
      reuse = reuse(spec);
      key = reuse.keyReference(spec, verdict.fingerprint());
      BuildRecord pulled = key == null ? null : reuse.pull(spec, store, verdict.fingerprint(), key);
      if (pulled != null) {
        pruneContentTags(store, pulled);
        EnsureResult result =
            EnsureResult.pulled(pulled, freshness, Duration.ofNanos(System.nanoTime() - start));
        log.info(result.summary());
        return result;
      }
    }
    log.info(spec.image() + ": building (" + reason(freshness) + ")");
    ImageBuild.Built built =
        new ImageBuild(log, images, buildx, defaultCacheRoot)
            .run(
                spec,
                store,
                verdict.fingerprint(),
                gha,
                probe != null ? probe : BuilderProbe.whenNeeded(buildx, spec.builder()));
    if (key != null) {
      reuse.push(spec, built.record(), key, environment);
    }
    pruneContentTags(store, built.record());
    EnsureResult result =
        EnsureResult.built(
            built.record(),
            freshness,
            built.contentTagVerified(),
            Duration.ofNanos(System.nanoTime() - start));
    log.info(result.summary());
    return result;
  }

  /**
   * Without a record a build is certain, so the builder is asked at once, alongside the scan; not
   * when an image may be reused instead (its pull needs the machine to itself). {@code null}
   * otherwise: the up-to-date path loads no class for it (docs/no-op-check.md, rule 18).
   */
  private BuilderProbe earlyProbe(BuildSpec spec, boolean recorded) {
    return recorded || spec.reuse() != null ? null : BuilderProbe.startNow(buildx, spec.builder());
  }

  /** A new content tag supersedes older ones: they go, as far as the setting and users allow. */
  private void pruneContentTags(RecordStore store, BuildRecord record) {
    new ContentTagPruning(log, images)
        .prune(record.image(), record.contentTag(), store, keepContentTags);
  }

  private ImageReuse reuse(BuildSpec spec) {
    if (registries == null) {
      throw new CachedImageException(
          spec.image()
              + ": reuse through "
              + spec.reuse().repository()
              + " is configured but this caller cannot reach registries");
    }
    return new ImageReuse(
        log,
        images,
        registries.transfer().get(),
        new RegistryClient(Duration.ofSeconds(30)),
        registries.credentials().get());
  }

  /**
   * Why a build is needed. An image missing because it was built on another engine (a docker
   * context switched, tests on Testcontainers' engine) says so: a rebuild every run is otherwise a
   * mystery. Costs one engine question, on the build path only.
   */
  private String reason(Freshness freshness) {
    String reason = freshness.describe();
    BuildRecord record =
        freshness.status() == Freshness.Status.NO_RECORD ? null : freshness.record();
    if (record == null || record.engine() == null || record.engine().id() == null) {
      return reason;
    }
    EngineInfo current;
    try {
      current = images.engine();
    } catch (CachedImageException e) {
      return reason; // the build reports an unreachable engine itself
    }
    if (current.id().isEmpty() || current.id().equals(record.engine().id())) {
      return reason;
    }
    String builtOn =
        EngineInfo.describe(record.engine().id(), Objects.toString(record.engine().host(), "?"));
    String moved =
        "image built on engine " + builtOn + ", " + engineUse + " engine " + current.describe();
    return freshness.status() == Freshness.Status.IMAGE_GONE ? moved : moved + "; " + reason;
  }

  /**
   * After an up-to-date verdict: files touched without a content change (a checkout, a copy, a
   * rebuilt but identical jar) were rehashed, so the record gets their new stat and the next check
   * does not rehash them again; a verdict made without an index writes one. The record is the same
   * otherwise (fingerprint, image, builtAt); a failed write only costs that work again next time.
   *
   * @return the content tag of the fresh image
   */
  private String keepIndex(FreshnessCheck.Verdict fresh, RecordStore store) {
    Fingerprinter.Result fp = fresh.fingerprint();
    RecordIndex index = fresh.index();
    if (index != null && fp == null) {
      return index.contentTag(); // its stat listing vouched for every entry
    }
    BuildRecord record = fresh.freshness().record();
    if (fp.rehashed() == 0 || fp.files().equals(record.files())) {
      store.writeIndex(record, fp);
      return record.contentTag();
    }
    try {
      store.write(record.withFiles(fp.files()), fp);
    } catch (CachedImageException e) {
      log.debug(record.image() + ": could not refresh the stat cache: " + e.getMessage());
    }
    return record.contentTag();
  }
}
