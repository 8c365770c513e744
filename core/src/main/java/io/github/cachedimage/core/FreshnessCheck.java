package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.fingerprint.ContextScan;
import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordIndex;
import io.github.cachedimage.core.record.RecordRead;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the recorded image can be used: the no-op check, on the cold path of every build. Its
 * steps, the index it reads and the rules its code follows are in {@code docs/no-op-check.md}.
 */
final class FreshnessCheck {

  /**
   * @param fingerprint the current inputs' fingerprint, when it was computed ({@code null} when an
   *     unchanged stat listing made it unnecessary)
   * @param index the record's index, when the verdict was made from it
   * @param contentTagVerified whether the engine was seen to tag the image with its content tag
   */
  record Verdict(
      Freshness freshness,
      Fingerprinter.Result fingerprint,
      RecordIndex index,
      boolean contentTagVerified) {}

  private final DockerImages images;

  FreshnessCheck(DockerImages images) {
    this.images = images;
  }

  Verdict check(BuildSpec spec, RecordStore store) {
    return check(spec, store, null, null);
  }

  /**
   * @param knownIndex the index, when the caller has read it already (to take the spec from it)
   * @param knownRead the record, when the caller has read it already
   */
  Verdict check(BuildSpec spec, RecordStore store, RecordIndex knownIndex, RecordRead knownRead) {
    Prefetch prefetch = new Prefetch(store, spec, images, knownIndex);
    prefetch.start();
    // On failure the prefetch thread (a daemon) is left to finish by itself.
    ContextScan scan = ContextScan.of(spec, excluded(store.directory()));
    Optional<RecordIndex> index = prefetch.index();
    Fingerprinter.Result changed = null;
    if (index.isPresent()) {
      RecordIndex ix = index.get();
      Optional<Map<String, FileState>> entries = Optional.empty();
      boolean same = prefetch.specUnchanged() && ix.statsMatch(scan.stats());
      Fingerprinter.Result fp = null;
      if (!same) {
        entries = ix.files();
        if (entries.isPresent()) {
          fp = Fingerprinter.fingerprint(spec, scan, entries.get(), ix.filesDigest(), ix.bases());
          same = fp.fingerprint().equals(ix.fingerprint());
        } // else malformed entries: as good as no index, the record answers
      }
      if (same && prefetch.bases(ix) == null) {
        same = false; // base images unknown: the record answers, asking again
      }
      if (same) {
        // Dockerfile, build args and target as recorded: so are the base images it names
        Map<String, String> bases = prefetch.bases(ix);
        if (bases != null && !bases.equals(ix.bases())) {
          Map<String, FileState> previous = fp != null ? fp.files() : ix.files().orElse(Map.of());
          Fingerprinter.Result now =
              Fingerprinter.fingerprint(spec, scan, previous, ix.filesDigest(), bases);
          List<String> changes = Fingerprinter.baseChanges(ix.bases(), bases);
          Freshness freshness = Freshness.changed(ix.imageId(), store.recordOf(ix), changes);
          return new Verdict(freshness, now, null, false);
        }
        boolean tagged = prefetch.contentTagNames(ix.imageId());
        boolean present = tagged || images.hasImage(ix.imageId());
        if (!present && fp == null) { // to build: the index's stat cache saves rehashing
          Map<String, FileState> previous = ix.files().orElse(Map.of());
          fp = Fingerprinter.fingerprint(spec, scan, previous, ix.filesDigest(), bases);
        }
        Freshness.Status status = present ? Freshness.Status.FRESH : Freshness.Status.IMAGE_GONE;
        Freshness freshness = Freshness.fromIndex(status, ix.imageId(), store.recordOf(ix));
        return new Verdict(freshness, fp, ix, tagged);
      }
      changed = fp; // the index's stat cache is the record's: no need to hash again
    }
    // (an engine answer still on its way is not waited for: the build asks the engine itself)
    // No usable index, or inputs changed: the record itself (which names what changed)
    RecordRead read = knownRead != null ? knownRead : store.read();
    BuildRecord r = read.record();
    Map<String, FileState> previous =
        changed != null && r != null ? changed.files() : r == null ? Map.of() : r.files();
    Fingerprinter.Result fp =
        Fingerprinter.fingerprint(spec, scan, previous, null, BaseImageIds.resolve(spec, images));
    if (r == null) {
      return new Verdict(Freshness.noRecord(read.problem()), fp, null, false);
    }
    if (!fp.fingerprint().equals(r.fingerprint())) {
      List<String> changes =
          new ArrayList<>(Fingerprinter.changes(r.spec(), r.files(), spec, fp.files()));
      changes.addAll(Fingerprinter.baseChanges(r.baseImages(), fp.bases()));
      Freshness freshness = new Freshness(Freshness.Status.INPUTS_CHANGED, r, changes);
      return new Verdict(freshness, fp, null, false);
    }
    boolean tagged = r.contentTag() != null && names(r.contentTag(), r.imageId());
    if (!tagged && !images.hasImage(r.imageId())) {
      return new Verdict(new Freshness(Freshness.Status.IMAGE_GONE, r, List.of()), fp, null, false);
    }
    return new Verdict(new Freshness(Freshness.Status.FRESH, r, List.of()), fp, null, tagged);
  }

  /** Whether the engine's {@code reference} names this image ID; refusals count as "no". */
  private boolean names(String reference, String imageId) {
    try {
      Optional<String> id = images.findImage(reference);
      return id.isPresent() && id.get().equals(imageId);
    } catch (DockerUnavailableException e) {
      throw e;
    } catch (CachedImageException e) {
      return false; // the engine refused the question: the ID is asked next
    }
  }

  private static List<Path> excluded(Path recordDirectory) {
    return List.of(recordDirectory.toAbsolutePath().normalize());
  }

  /**
   * Reads the record's index on its own thread while the caller scans the context, then asks the
   * engine whether the index's content tag still names the recorded image: in a cold JVM each of
   * the three takes tens of ms. A plain thread joined by the caller, not a future: every class the
   * check loads costs.
   */
  private static final class Prefetch extends Thread {
    private final RecordStore store;
    private final BuildSpec spec;
    private final DockerImages images;
    private final RecordIndex known;
    private Optional<RecordIndex> index = Optional.empty();

    /** With the same Dockerfile entry and spec text, an unchanged stat listing is enough. */
    private boolean specUnchanged;

    private Optional<String> tagged = Optional.empty();
    private final Map<String, String> bases = new LinkedHashMap<>();
    private Throwable engineFailure;
    private Throwable failure;

    Prefetch(RecordStore store, BuildSpec spec, DockerImages images, RecordIndex known) {
      super("cached-image-prefetch");
      setDaemon(true);
      this.store = store;
      this.spec = spec;
      this.images = images;
      this.known = known;
    }

    @Override
    public void run() {
      try {
        index = known != null ? Optional.of(known) : store.index();
        if (index.isEmpty()) {
          return;
        }
        RecordIndex ix = index.get();
        try {
          ix.listing(); // decoded here, while the scan runs
          specUnchanged =
              ix.dockerfileKey().equals(ContextScan.dockerfileKey(spec))
                  && ix.specText().equals(Fingerprinter.specText(spec));
        } catch (RuntimeException e) {
          specUnchanged = false; // only the shortcut is lost: the entries still answer
        }
        try {
          tagged = images.findImage(ix.contentTag());
          for (String ref : ix.bases().keySet()) { // one history question per base image
            bases.put(ref, BaseImageIds.idOf(images, ref));
          }
        } catch (Throwable e) {
          engineFailure = e;
        }
      } catch (Throwable e) {
        failure = e;
      }
    }

    /** The index, once read (joins this thread: its writes are then visible). */
    Optional<RecordIndex> index() {
      awaitEnd(this);
      rethrow(failure);
      return index;
    }

    boolean specUnchanged() {
      return specUnchanged;
    }

    /**
     * The engine's IDs of the index's base images now, or {@code null} when unknown (the engine
     * refused a question: the record then answers). An unreachable engine is thrown.
     */
    Map<String, String> bases(RecordIndex ix) {
      if (engineFailure instanceof DockerUnavailableException
          || (engineFailure != null && !(engineFailure instanceof CachedImageException))) {
        rethrow(engineFailure);
      }
      return engineFailure == null ? bases : null;
    }

    /**
     * Whether the content tag names this image ID. {@code false} says nothing about the ID: the tag
     * may be gone or moved, or the engine refused the question; the caller then asks for the ID
     * itself. An unreachable engine is thrown as it is.
     */
    boolean contentTagNames(String imageId) {
      if (engineFailure instanceof DockerUnavailableException
          || !(engineFailure instanceof CachedImageException)) {
        rethrow(engineFailure);
      }
      return tagged.isPresent() && tagged.get().equals(imageId);
    }
  }

  private static void awaitEnd(Thread thread) {
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
}
