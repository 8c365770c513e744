package io.github.cachedimage.core.engine;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one seam through which the core runs build processes. {@link CliBuildx} runs {@code docker
 * buildx}; tests substitute it to assert arguments or simulate output without a daemon.
 */
public interface Buildx {

  /**
   * What the builder is and can do; runs {@code docker buildx version} and {@code inspect}.
   *
   * @throws BuildxUnsupportedException if buildx is missing
   * @throws DockerUnavailableException if no engine answers
   */
  Info info(String builder);

  /**
   * Runs one build, streaming every output line (stdout and stderr merged) to {@code output} as it
   * arrives, and returns the exit code.
   *
   * @throws CachedImageException if the process cannot start or exceeds its timeout
   */
  int build(Invocation invocation, Consumer<String> output);

  /**
   * Removes records from the builder's cache: exactly {@code recordIds}, or every unused record
   * when the list is empty. Used to recover from a {@link BrokenBuildCache}.
   *
   * @return the command run (or what was done), to tell the user
   * @throws CachedImageException if this builder cannot prune, or the prune fails
   */
  default String pruneCache(String builder, List<String> recordIds) {
    throw new CachedImageException("this buildx cannot prune its build cache");
  }

  /**
   * A builder's identity and capabilities.
   *
   * @param version buildx version, e.g. {@code 0.29.1}
   * @param builder the builder's name
   * @param driver {@code docker}, {@code docker-container}, {@code kubernetes}, {@code remote}
   * @param containerdImageStore for the {@code docker} driver: whether the engine uses the
   *     containerd image store (without it, the driver exports no cache except inline)
   * @param buildkitVersion "BuildKit version" from {@code docker buildx inspect} ({@code v0.25.1};
   *     Debian's unstamped BuildKit says {@code v0.0.0+unknown}), or {@code null}
   * @param engineVersion for the {@code docker} driver: the engine's version ({@code 28.5.2}, see
   *     {@link #onEngine}), from which the gha preflight derives the BuildKit version when it
   *     reports none; else {@code null}
   */
  record Info(
      String version,
      String builder,
      String driver,
      boolean containerdImageStore,
      String buildkitVersion,
      String engineVersion) {

    /** Without the BuildKit and engine versions (unknown). */
    public Info(String version, String builder, String driver, boolean containerdImageStore) {
      this(version, builder, driver, containerdImageStore, null, null);
    }

    /**
     * Completed with what the engine itself says, for the {@code docker} driver (which builds
     * inside that engine): its image store and version, where buildx did not report them.
     */
    public Info onEngine(EngineInfo engine) {
      if (!"docker".equals(driver)) {
        return this;
      }
      return new Info(
          version,
          builder,
          driver,
          containerdImageStore || engine.containerdStore(),
          buildkitVersion,
          engineVersion != null || engine.version().isEmpty() ? engineVersion : engine.version());
    }

    /** Whether this builder can export cache of that type. */
    public boolean canExport(String cacheType) {
      return !"docker".equals(driver) || containerdImageStore || "inline".equals(cacheType);
    }
  }

  /**
   * One {@code docker buildx build}: the spec plus what the core decided (tags, the effective cache
   * flags, where buildx writes its metadata).
   */
  record Invocation(
      BuildSpec spec,
      List<String> tags,
      List<CacheSpec> cacheFrom,
      List<CacheSpec> cacheTo,
      Path metadataFile) {
    public Invocation {
      tags = List.copyOf(tags);
      cacheFrom = List.copyOf(cacheFrom);
      cacheTo = List.copyOf(cacheTo);
    }
  }
}
