package io.github.cachedimage.core;

import io.github.cachedimage.core.BuildRecord.CacheSummary;
import io.github.cachedimage.core.gha.GhaPlan;
import io.github.cachedimage.core.gha.GhaSupport;
import io.github.cachedimage.core.gha.Redaction;
import io.github.cachedimage.core.internal.BuildMetadata;
import io.github.cachedimage.core.internal.BuildProgress;
import io.github.cachedimage.core.internal.DefaultLocalCache;
import io.github.cachedimage.core.internal.Fingerprinter;
import io.github.cachedimage.core.internal.RecordIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The entry point both adapters call: is the recorded image fresh, and if not, build it with
 * BuildKit's cache and record what was built.
 *
 * <pre>{@code
 * CachedImages images = CachedImages.create(log, new DockerJavaImages(dockerClient));
 * EnsureResult result = images.ensure(spec, moduleDir.resolve(BuildRecord.RECORD_DIRECTORY));
 * String runnable = result.record().contentTag(); // or imageId()
 * }</pre>
 *
 * <p>Thread-safe. {@link #ensure} builds an image at most once at a time across threads and JVMs:
 * an in-JVM lock per record (file locks are held per JVM), then a file lock on {@code <image>.lock}
 * next to the record, then a re-check, so concurrent callers find the image the first one built.
 */
public final class CachedImages {

  private static final Map<String, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final Duration LOCK_TIMEOUT = Duration.ofMinutes(60);

  private final BuildLog log;
  private final DockerImages images;
  private final Buildx buildx;
  private final Path defaultCacheRoot;
  private final Map<String, String> environment;
  private final boolean ghaStrict;

  public CachedImages(BuildLog log, DockerImages images, Buildx buildx) {
    this(log, images, buildx, null);
  }

  /**
   * @param defaultCacheRoot where the default local cache lives; {@code null} for {@link
   *     DefaultLocalCache#root()} ({@code ~/.cache/cached-image}, overridable)
   */
  public CachedImages(BuildLog log, DockerImages images, Buildx buildx, Path defaultCacheRoot) {
    this(log, images, buildx, defaultCacheRoot, System.getenv(), false);
  }

  private CachedImages(
      BuildLog log,
      DockerImages images,
      Buildx buildx,
      Path defaultCacheRoot,
      Map<String, String> environment,
      boolean ghaStrict) {
    this.log = log;
    this.images = images;
    this.buildx = buildx;
    this.defaultCacheRoot = defaultCacheRoot;
    this.environment = Map.copyOf(environment);
    this.ghaStrict = ghaStrict;
  }

  /**
   * The same, reading GitHub Actions variables ({@code ACTIONS_*}, {@code GITHUB_ACTIONS}, {@code
   * GITHUB_STEP_SUMMARY}) from this environment instead of {@code System.getenv()}, for tests. The
   * buildx process still inherits the real environment.
   */
  public CachedImages withEnvironment(Map<String, String> environment) {
    return new CachedImages(log, images, buildx, defaultCacheRoot, environment, ghaStrict);
  }

  /**
   * The same, failing with {@link io.github.cachedimage.core.gha.GhaCacheUnavailableException} when
   * a {@code type=gha} cache is configured on GitHub Actions but cannot work (missing token, URL,
   * cache service v2, old buildx/BuildKit, a builder without the gha backend), instead of warning
   * and building without it.
   */
  public CachedImages withGhaStrict(boolean strict) {
    return new CachedImages(log, images, buildx, defaultCacheRoot, environment, strict);
  }

  /** With the real {@code docker buildx} CLI. */
  public static CachedImages create(BuildLog log, DockerImages images) {
    return new CachedImages(log, images, new CliBuildx());
  }

  /**
   * Whether the recorded image can be used: record present, fingerprint of the current inputs equal
   * to the recorded one, and the engine still has the recorded image ID. Runs no process; reads the
   * record, stats the context (rehashing only files whose stat changed) and asks the engine once.
   *
   * @throws InvalidBuildSpecException if the Dockerfile or context is missing or unreadable
   * @throws DockerUnavailableException if the engine cannot be asked
   */
  public Freshness check(BuildSpec spec, Path recordDirectory) {
    return evaluate(spec, recordDirectory).freshness;
  }

  /**
   * @param index the record's index, when the verdict was made from it
   */
  private record Evaluation(
      Freshness freshness, Fingerprinter.Result fingerprint, RecordIndex index) {}

  private Evaluation evaluate(BuildSpec spec, Path recordDirectory) {
    // The engine is asked first, for the image's :latest tag: the index, with the recorded ID,
    // is read meanwhile. The engine takes tens of ms to answer in a cold JVM.
    Lookup latest = new Lookup(images, spec.image() + ":latest");
    latest.start();
    Prefetch prefetch = new Prefetch(recordDirectory, spec);
    prefetch.start();
    // On failure the prefetch threads (daemons) are left to finish by themselves.
    Fingerprinter.Scan scan = Fingerprinter.scan(spec, excluded(recordDirectory));
    Optional<RecordIndex> index = prefetch.index();
    Fingerprinter.Result changed = null;
    if (index.isPresent()) {
      RecordIndex ix = index.get();
      boolean same = prefetch.specUnchanged() && ix.statsMatch(scan.stats());
      Fingerprinter.Result fp = null;
      if (!same) {
        try {
          fp = Fingerprinter.fingerprint(spec, scan, ix.files(), ix.filesDigest());
          same = fp.fingerprint().equals(ix.fingerprint());
        } catch (IllegalStateException e) {
          fp = null; // malformed entries: as good as no index
        }
      }
      if (same) {
        boolean present = latest.names(ix.imageId()) || images.hasImage(ix.imageId());
        if (!present && fp == null) {
          fp = Fingerprinter.fingerprint(spec, scan, ix.files(), ix.filesDigest()); // to build
        }
        IndexedRecord record = new IndexedRecord(recordDirectory, spec.image(), ix);
        Freshness.Status status = present ? Freshness.Status.FRESH : Freshness.Status.IMAGE_GONE;
        return new Evaluation(Freshness.fromIndex(status, ix.imageId(), record), fp, ix);
      }
      changed = fp; // the index's stat cache is the record's: no need to hash again
    }
    // (an engine answer still on its way is not waited for: the build asks the engine itself)
    // No index, or inputs changed: the record itself (which names what changed)
    Optional<BuildRecord> record = BuildRecord.read(recordDirectory, spec.image());
    Fingerprinter.Result fp =
        changed != null && record.isPresent()
            ? changed
            : Fingerprinter.fingerprint(
                spec, scan, record.map(BuildRecord::files).orElse(Map.of()), null);
    if (record.isEmpty()) {
      return new Evaluation(new Freshness(Freshness.Status.NO_RECORD, null, List.of()), fp, null);
    }
    BuildRecord r = record.get();
    if (!fp.fingerprint().equals(r.fingerprint())) {
      List<String> changes = Fingerprinter.changes(r.spec(), r.files(), spec, fp.files());
      return new Evaluation(new Freshness(Freshness.Status.INPUTS_CHANGED, r, changes), fp, null);
    }
    if (!images.hasImage(r.imageId())) {
      return new Evaluation(new Freshness(Freshness.Status.IMAGE_GONE, r, List.of()), fp, null);
    }
    return new Evaluation(new Freshness(Freshness.Status.FRESH, r, List.of()), fp, null);
  }

  /**
   * Reads the record's index on its own thread, while the context is scanned: in a cold JVM each
   * takes tens of ms. This and {@link Lookup} are plain threads joined by the caller, not futures:
   * the check runs cold, and every class it loads costs.
   */
  private static final class Prefetch extends Thread {
    /**
     * Whether the fingerprint from the index's parts and the current spec is the recorded one: then
     * an unchanged stat listing is all it takes.
     */
    private boolean specUnchanged;

    private Optional<RecordIndex> index = Optional.empty();
    private Throwable failure;
    private final Path recordDirectory;
    private final BuildSpec spec;

    Prefetch(Path recordDirectory, BuildSpec spec) {
      super("cached-image-prefetch");
      setDaemon(true);
      this.recordDirectory = recordDirectory;
      this.spec = spec;
    }

    @Override
    public void run() {
      try {
        index = RecordIndex.read(recordDirectory, spec.image());
        if (index.isPresent()) {
          RecordIndex ix = index.get();
          ix.listing(); // decoded here, while the scan runs
          // the same Dockerfile entry (the listing vouches for its content) and spec values
          specUnchanged =
              ix.dockerfileKey().equals(Fingerprinter.dockerfileKey(spec))
                  && ix.specText().equals(Fingerprinter.specText(spec));
        }
      } catch (RuntimeException e) {
        specUnchanged = false; // only the shortcut is lost: the entries still answer
      } catch (Throwable e) {
        failure = e;
      }
    }

    /** The index, once read (joins this thread: its writes are then visible). */
    Optional<RecordIndex> index() {
      finish(this);
      rethrow(failure);
      return index;
    }

    boolean specUnchanged() {
      return specUnchanged;
    }
  }

  /** Asks the engine, on its own thread, which image ID a reference names. */
  private static final class Lookup extends Thread {
    private final DockerImages images;
    private final String reference;
    private Optional<String> imageId = Optional.empty();
    private Throwable failure;

    Lookup(DockerImages images, String reference) {
      super("cached-image-lookup");
      setDaemon(true);
      this.images = images;
      this.reference = reference;
    }

    @Override
    public void run() {
      try {
        imageId = images.findImage(reference);
      } catch (Throwable e) {
        failure = e;
      }
    }

    /**
     * Whether the reference names this image ID (joins the thread). {@code false} says nothing
     * about the ID: the tag may have moved to another image, or the engine refused the question;
     * the caller then asks for the ID itself. An unreachable engine is thrown as it is.
     */
    boolean names(String id) {
      finish(this);
      if (failure instanceof DockerUnavailableException
          || !(failure instanceof CachedImageException)) {
        rethrow(failure);
      }
      return imageId.isPresent() && imageId.get().equals(id);
    }
  }

  private static void finish(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CachedImageException("interrupted asking the engine", e);
    }
  }

  private static void rethrow(Throwable failure) {
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure != null) {
      throw new CachedImageException("cannot ask the engine: " + failure, failure);
    }
  }

  private static List<Path> excluded(Path recordDirectory) {
    return List.of(recordDirectory.toAbsolutePath().normalize());
  }

  /**
   * Makes sure the engine has an image built from the current inputs: returns at once when {@link
   * #check} says fresh (logging one {@code up to date} line), else builds with {@code docker buildx
   * build}, streams its progress, writes the record atomically and logs a summary.
   *
   * @throws InvalidBuildSpecException missing Dockerfile or context, unreadable file
   * @throws DockerUnavailableException no engine
   * @throws BuildxUnsupportedException buildx missing, too old, or unable to export the cache
   * @throws BuildFailedException a Dockerfile step failed (no record written)
   */
  public EnsureResult ensure(BuildSpec spec, Path recordDirectory) {
    long start = System.nanoTime();
    Path lockFile =
        BuildRecord.lockFile(recordDirectory, spec.image()).toAbsolutePath().normalize();
    ReentrantLock jvmLock = jvmLock(lockFile.toString());
    try {
      if (!jvmLock.tryLock(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CachedImageException(
            spec.image()
                + ": another build of this image in this JVM did not finish within "
                + LOCK_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CachedImageException(spec.image() + ": interrupted waiting for the build lock", e);
    }
    try {
      Files.createDirectories(recordDirectory);
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = acquire(channel, spec.image(), lockFile)) {
        GhaSupport gha = new GhaSupport(environment, ghaStrict);
        EnsureResult result = ensureLocked(spec, recordDirectory, start, gha);
        gha.summarize(result, log);
        return result;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(spec.image() + ": cannot lock " + lockFile, e);
    } finally {
      jvmLock.unlock();
    }
  }

  /** No lambda here: its bootstrap would cost the cold no-op path about a millisecond. */
  private static ReentrantLock jvmLock(String key) {
    ReentrantLock lock = JVM_LOCKS.get(key);
    if (lock == null) {
      ReentrantLock fresh = new ReentrantLock();
      lock = JVM_LOCKS.putIfAbsent(key, fresh);
      return lock == null ? fresh : lock;
    }
    return lock;
  }

  private FileLock acquire(FileChannel channel, String image, Path lockFile) throws IOException {
    long deadline = System.nanoTime() + LOCK_TIMEOUT.toNanos();
    boolean told = false;
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      if (!told) {
        log.info(image + ": waiting for another process building it (" + lockFile + ")");
        told = true;
      }
      if (System.nanoTime() > deadline) {
        throw new CachedImageException(
            image + ": the lock " + lockFile + " was not released within " + LOCK_TIMEOUT);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CachedImageException(image + ": interrupted waiting for " + lockFile, e);
      }
    }
  }

  private EnsureResult ensureLocked(
      BuildSpec spec, Path recordDirectory, long start, GhaSupport gha) {
    Evaluation before = evaluate(spec, recordDirectory);
    Freshness freshness = before.freshness();
    if (freshness.isFresh()) {
      String contentTag = keepIndex(before, recordDirectory);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      log.info(
          spec.image()
              + ": up to date ("
              + HelpfulSuggestions.shortId(freshness.imageId())
              + ", inputs unchanged) in "
              + elapsed.toMillis()
              + " ms");
      return new EnsureResult(freshness, freshness.imageId(), contentTag, elapsed);
    }
    log.info(spec.image() + ": building (" + freshness.describe() + ")");
    BuildRecord record = build(spec, recordDirectory, before.fingerprint(), gha);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    return new EnsureResult(record, true, freshness, elapsed);
  }

  private BuildRecord build(
      BuildSpec spec, Path recordDirectory, Fingerprinter.Result fp, GhaSupport gha) {
    if (!images.isReachable()) {
      throw new DockerUnavailableException(HelpfulSuggestions.dockerUnavailable(null));
    }
    Buildx.Info info = buildx.info(spec.builder());
    if (compareVersions(info.version(), HelpfulSuggestions.MINIMUM_BUILDX_VERSION) < 0) {
      throw new BuildxUnsupportedException(HelpfulSuggestions.buildxTooOld(info.version()));
    }
    // gha entries that cannot work are dropped here (with a warning) or fail in strict mode;
    // the others get our defaults (scope per image, mode=max, ignore-error, bounded timeout)
    GhaPlan ghaPlan = gha.prepare(spec, info, log);
    for (CacheSpec to : ghaPlan.cacheTo()) {
      if (!info.canExport(to.type())) {
        throw new BuildxUnsupportedException(
            HelpfulSuggestions.cannotExportCache(info.builder(), to.type()));
      }
    }

    List<CacheSpec> cacheFrom = new ArrayList<>(ghaPlan.cacheFrom());
    List<CacheSpec> cacheTo = new ArrayList<>();
    for (CacheSpec to : ghaPlan.cacheTo()) {
      cacheTo.add(
          spec.failOnCacheExportError()
                  || to.type().equals("inline")
                  || to.attribute("ignore-error") != null
              ? to
              : to.with("ignore-error", "true"));
    }
    DefaultLocalCache defaultCache = null;
    Path generation = null;
    try {
      if (spec.usesDefaultCache()) {
        if (info.canExport("local")) {
          defaultCache =
              new DefaultLocalCache(
                  defaultCacheRoot != null ? defaultCacheRoot : DefaultLocalCache.root(),
                  spec.image());
          defaultCache
              .current()
              .ifPresent(dir -> cacheFrom.add(CacheSpec.of("local", "src", dir.toString())));
          generation = defaultCache.newGeneration();
          cacheTo.add(
              CacheSpec.of(
                  "local", "dest", generation.toString(), "mode", "max", "ignore-error", "true"));
        } else {
          log.warn(HelpfulSuggestions.defaultCacheUnavailable(info.builder()));
        }
      }

      String shortFp = fp.fingerprint().substring(0, 12);
      String contentTag = spec.image() + ":fp-" + shortFp;
      List<String> tags = List.of(contentTag, spec.image() + ":latest");
      Files.createDirectories(recordDirectory);
      Path metadata = Files.createTempFile(recordDirectory, ".metadata-", ".json");
      try {
        Buildx.Invocation invocation =
            new Buildx.Invocation(spec, tags, cacheFrom, cacheTo, metadata);
        gha.used(cacheFrom, cacheTo);
        BuildProgress progress = new BuildProgress();
        long buildStart = System.nanoTime();
        int exit =
            buildx.build(
                invocation,
                raw -> {
                  String line = gha.redact(raw);
                  log.progress(line);
                  String warning = progress.accept(line);
                  if (warning != null) {
                    log.warn(spec.image() + ": " + warning);
                  }
                });
        long buildMillis = (System.nanoTime() - buildStart) / 1_000_000;
        if (exit != 0) {
          throw failure(spec, exit, progress);
        }
        if (spec.failOnCacheExportError() && !progress.exportErrors().isEmpty()) {
          throw new BuildFailedException(
              spec.image()
                  + ": "
                  + progress.exportErrors().get(0)
                  + " (failOnCacheExportError is set; unset it to build on with a warning)",
              null,
              progress.failureOutput());
        }
        BuildMetadata meta = BuildMetadata.parse(Files.readAllBytes(metadata));
        String imageId =
            images
                .findImage(contentTag)
                .or(
                    () ->
                        meta.imageIdCandidates().stream()
                            .map(images::findImage)
                            .flatMap(Optional::stream)
                            .findFirst())
                .orElseThrow(
                    () ->
                        new CachedImageException(
                            spec.image()
                                + ": buildx reported success but the engine has no image "
                                + contentTag
                                + " (is the builder '"
                                + info.builder()
                                + "' loading into this engine?)"));
        if (defaultCache != null) {
          boolean promoted = defaultCache.promote(generation);
          generation = null;
          if (!promoted) {
            log.warn(
                spec.image() + ": default local cache was not exported; keeping the previous one");
          }
        }
        CacheSummary summary =
            new CacheSummary(
                progress.steps(),
                progress.cachedSteps(),
                cacheFrom.stream().map(c -> Redaction.redact(c).toBuildxArgument()).toList());
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
                BuildRecord.FORMAT_VERSION);
        record.write(recordDirectory);
        writeIndex(recordDirectory, record, fp);
        log.info(summaryLine(record));
        return record;
      } finally {
        Files.deleteIfExists(metadata);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(spec.image() + ": " + e.getMessage(), e);
    } finally {
      if (generation != null) {
        try {
          DefaultLocalCache.deleteTree(generation);
        } catch (IOException e) {
          log.debug("could not delete " + generation + ": " + e);
        }
      }
    }
  }

  /**
   * After an up-to-date verdict: files touched without a content change (a checkout, a copy, a
   * rebuilt but identical jar) were rehashed, so the record gets their new stat and the next check
   * does not rehash them again; a verdict made without an index writes one. The record is the same
   * otherwise (fingerprint, image, builtAt); a failed write only costs that work again next time.
   *
   * @return the content tag of the fresh image
   */
  private String keepIndex(Evaluation fresh, Path recordDirectory) {
    Fingerprinter.Result fp = fresh.fingerprint();
    RecordIndex index = fresh.index();
    if (index != null && fp == null) {
      return index.contentTag(); // its stat listing vouched for every entry
    }
    BuildRecord record = fresh.freshness().record();
    if (fp.rehashed() == 0 || fp.files().equals(record.files())) {
      writeIndex(recordDirectory, record, fp);
      return record.contentTag();
    }
    try {
      BuildRecord refreshed =
          new BuildRecord(
              record.image(),
              record.spec(),
              record.fingerprint(),
              record.imageId(),
              record.digest(),
              record.tags(),
              record.contentTag(),
              record.builtAt(),
              record.buildMillis(),
              record.cacheSummary(),
              fp.files(),
              record.formatVersion());
      refreshed.write(recordDirectory);
      writeIndex(recordDirectory, refreshed, fp);
    } catch (UncheckedIOException e) {
      log.debug(record.image() + ": could not refresh the stat cache: " + e.getMessage());
    }
    return record.contentTag();
  }

  /** The index of a record just written; without one, checks read the record itself. */
  private void writeIndex(Path recordDirectory, BuildRecord record, Fingerprinter.Result fp) {
    try {
      RecordIndex.write(recordDirectory, record, fp);
    } catch (IOException | UncheckedIOException e) {
      log.debug(record.image() + ": could not write the record index: " + e.getMessage());
    }
  }

  /** {@code greeter: built sha256:... in 2.1 s, 7/8 steps cached (from type=local,src=...)}. */
  static String summaryLine(BuildRecord record) {
    CacheSummary s = record.cacheSummary();
    return record.image()
        + ": built "
        + record.shortImageId()
        + " in "
        + String.format(Locale.ROOT, "%.1f", record.buildMillis() / 1000.0)
        + " s, "
        + s.cached()
        + "/"
        + s.steps()
        + " steps cached"
        + (s.from().isEmpty()
            ? " (no cache to import)"
            : " (from " + String.join(", ", s.from()) + ")");
  }

  private static BuildFailedException failure(BuildSpec spec, int exit, BuildProgress progress) {
    if (progress.failedStep() == null && !progress.exportErrors().isEmpty()) {
      // only the cache export failed: buildx fails the build when ignore-error is not set
      return new BuildFailedException(
          spec.image()
              + ": "
              + progress.exportErrors().get(0)
              + (spec.failOnCacheExportError()
                  ? " (failOnCacheExportError is set; unset it to build on with a warning)"
                  : ""),
          null,
          progress.failureOutput());
    }
    StringBuilder message = new StringBuilder(spec.image()).append(": docker buildx build failed");
    if (progress.failedStep() != null) {
      message.append(" at step ").append(progress.failedStep());
    }
    String error = progress.error();
    message.append(error != null ? ": " + error : " with exit code " + exit);
    List<String> lines = progress.failureOutput();
    if (!lines.isEmpty()) {
      message.append("\nlast output:");
      lines.forEach(l -> message.append("\n  ").append(l));
    }
    return new BuildFailedException(message.toString(), progress.failedStep(), lines);
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int xi = i < x.length ? parse(x[i]) : 0;
      int yi = i < y.length ? parse(y[i]) : 0;
      if (xi != yi) {
        return Integer.compare(xi, yi);
      }
    }
    return 0;
  }

  private static int parse(String s) {
    String digits = s.replaceAll("[^0-9].*$", "");
    return digits.isEmpty() ? 0 : Integer.parseInt(digits);
  }
}
