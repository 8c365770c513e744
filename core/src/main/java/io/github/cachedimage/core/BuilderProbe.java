package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.Buildx;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The builder's facts ({@link Buildx#info}) for one build. When a build is certain before the
 * context is hashed (no record at all: a fresh runner, a first build), they are asked at once on a
 * thread of their own, so their CLI processes run alongside the scan instead of in front of the
 * build; otherwise they are asked when the build starts. See docs/no-op-check.md, rule 18.
 */
final class BuilderProbe {
  private final Buildx buildx;
  private final String builder;
  private final FutureTask<Buildx.Info> early;

  private BuilderProbe(Buildx buildx, String builder, FutureTask<Buildx.Info> early) {
    this.buildx = buildx;
    this.builder = builder;
    this.early = early;
  }

  /** Asks when {@link #get()} is called: the up-to-date path never starts a process. */
  static BuilderProbe whenNeeded(Buildx buildx, String builder) {
    return new BuilderProbe(buildx, builder, null);
  }

  /** Starts asking now, on a daemon thread; {@link #get()} waits for the answer. */
  static BuilderProbe startNow(Buildx buildx, String builder) {
    FutureTask<Buildx.Info> task = new FutureTask<>(() -> buildx.info(builder));
    Thread thread = new Thread(task, "cached-image-builder-probe");
    thread.setDaemon(true);
    thread.start();
    return new BuilderProbe(buildx, builder, task);
  }

  /**
   * The builder's facts; what {@link Buildx#info} throws is thrown here, unchanged.
   *
   * @throws CachedImageException as {@link Buildx#info}, or when interrupted while waiting
   */
  Buildx.Info get() {
    if (early == null) {
      return buildx.info(builder);
    }
    try {
      return early.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new CachedImageException("asking buildx about its builder failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      early.cancel(true);
      Thread.currentThread().interrupt();
      throw new CachedImageException("interrupted while asking buildx about its builder", e);
    }
  }
}
