package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.BuildxUnsupportedException;
import io.github.cachedimage.core.gha.GhaPlan;
import io.github.cachedimage.core.gha.GhaSupport;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cache flags of one build: the spec's entries (gha ones with our defaults or dropped, exports
 * with {@code ignore-error=true} unless the spec fails on export errors), or, with none configured,
 * the default local cache: import the current generation, export into a new one that {@link
 * #promote} makes current after a successful build. Closing deletes a generation never promoted. A
 * local import whose blobs are gone is skipped ({@link #skipped}).
 */
final class CacheFlags implements AutoCloseable {
  private final List<CacheSpec> from;
  private final List<CacheSpec> to;
  private final Map<CacheSpec, String> skipped;
  private final DefaultLocalCache defaultCache;
  private final BuildLog log;
  private Path generation;

  private CacheFlags(
      List<CacheSpec> from,
      List<CacheSpec> to,
      DefaultLocalCache defaultCache,
      Path generation,
      BuildLog log) {
    this.skipped = new LinkedHashMap<>();
    for (CacheSpec spec : from) {
      if (spec.type().equals("local") && spec.attribute("src") != null) {
        LocalCacheBlobs.problem(Path.of(spec.attribute("src")))
            .ifPresent(why -> skipped.put(spec, why));
      }
    }
    this.from = from.stream().filter(s -> !skipped.containsKey(s)).toList();
    this.to = List.copyOf(to);
    this.defaultCache = defaultCache;
    this.generation = generation;
    this.log = log;
  }

  /**
   * @param defaultCacheRoot where default caches live; {@code null} for {@link
   *     DefaultLocalCache#root()}
   * @throws BuildxUnsupportedException if the builder cannot export a configured cache type
   */
  static CacheFlags plan(
      BuildSpec spec, Buildx.Info info, GhaSupport gha, Path defaultCacheRoot, BuildLog log)
      throws IOException {
    GhaPlan ghaPlan = gha.prepare(spec, info, log);
    for (CacheSpec to : ghaPlan.cacheTo()) {
      if (!info.canExport(to.type())) {
        throw new BuildxUnsupportedException(
            HelpfulSuggestions.cannotExportCache(info.builder(), to.type()));
      }
    }
    List<CacheSpec> from = new ArrayList<>(ghaPlan.cacheFrom());
    List<CacheSpec> to = new ArrayList<>();
    for (CacheSpec export : ghaPlan.cacheTo()) {
      to.add(
          spec.failOnCacheExportError()
                  || export.type().equals("inline")
                  || export.attribute("ignore-error") != null
              ? export
              : export.with("ignore-error", "true"));
    }
    if (!spec.usesDefaultCache()) {
      return new CacheFlags(from, to, null, null, log);
    }
    if (!info.canExport("local")) {
      // a documented fallback, not a fault: nothing was configured that now does not work
      log.info(spec.image() + ": " + HelpfulSuggestions.defaultCacheUnavailable(info.builder()));
      return new CacheFlags(from, to, null, null, log);
    }
    DefaultLocalCache cache =
        new DefaultLocalCache(
            defaultCacheRoot != null ? defaultCacheRoot : DefaultLocalCache.root(), spec.image());
    cache.current().ifPresent(dir -> from.add(CacheSpec.of("local", "src", dir.toString())));
    Path generation;
    try {
      generation = cache.newGeneration();
    } catch (IOException e) {
      // a cache is never worth failing the build: import what is there, export nothing
      log.warn(
          spec.image()
              + ": "
              + HelpfulSuggestions.defaultCacheUnwritable(
                  cache.directory(), HelpfulSuggestions.ioCause(e)));
      return new CacheFlags(from, to, null, null, log);
    }
    to.add(
        CacheSpec.of(
            "local", "dest", generation.toString(), "mode", "max", "ignore-error", "true"));
    return new CacheFlags(from, to, cache, generation, log);
  }

  /** The imports to build with: those configured, but local ones skipped (see {@link #skipped}). */
  List<CacheSpec> from() {
    return from;
  }

  /**
   * Local imports not passed to buildx, and why: their directory lost blobs its index names, and
   * BuildKit would rebuild the steps without a word.
   */
  Map<CacheSpec, String> skipped() {
    return java.util.Collections.unmodifiableMap(skipped);
  }

  List<CacheSpec> to() {
    return to;
  }

  /** The export into the default cache's new generation, or null. */
  CacheSpec defaultExport() {
    if (generation == null) {
      return null;
    }
    String dest = generation.toString();
    return to.stream().filter(c -> dest.equals(c.attribute("dest"))).findFirst().orElse(null);
  }

  /**
   * After a successful build: the default cache's new generation, if any, becomes current.
   *
   * @param failureTold whether the export's failure was already reported (then this is quiet)
   */
  void promote(String image, boolean failureTold) throws IOException {
    if (defaultCache == null) {
      return;
    }
    boolean promoted = defaultCache.promote(generation);
    generation = null;
    if (!promoted && !failureTold) {
      log.warn(image + ": default local cache was not exported; keeping the previous one");
    }
  }

  @Override
  public void close() {
    if (generation != null) {
      try {
        DefaultLocalCache.deleteTree(generation);
      } catch (IOException e) {
        log.debug("could not delete " + generation + ": " + e);
      }
    }
  }
}
