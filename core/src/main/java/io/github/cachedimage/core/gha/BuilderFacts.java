package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.base.BuildxVersion;
import io.github.cachedimage.core.engine.Buildx;

/**
 * What the preflight needs to know about buildx and its builder.
 *
 * @param buildxVersion the buildx client version ({@code 0.29.1}, {@code 0.29.1+ds1}), or {@code
 *     null} if unknown
 * @param buildkitVersion what {@code docker buildx inspect} reports as "BuildKit version" ({@code
 *     v0.25.1}); distribution builds report {@code v0.0.0+unknown}, which counts as unknown
 * @param engineVersion the Docker Engine version ({@code 28.5.2}), used to derive the BuildKit
 *     version of the {@code docker} driver when it reports none; {@code null} if unknown
 * @param builder the builder's name, for messages
 * @param driver {@code docker}, {@code docker-container}, {@code kubernetes}, {@code remote}
 * @param canExportGha whether the builder has the gha cache backend at all (the {@code docker}
 *     driver has it only with the containerd image store)
 */
record BuilderFacts(
    String buildxVersion,
    String buildkitVersion,
    String engineVersion,
    String builder,
    String driver,
    boolean canExportGha) {

  /** First buildx that speaks cache service v2 (docker/buildx e1f690ab, 7ba4da08). */

  /** First BuildKit that speaks cache service v2 (moby/buildkit 497a00c9, dea6c491). */
  static final int[] MIN_BUILDKIT = {0, 20};

  /** Docker Engine 28.0 vendors BuildKit v0.20.0 (moby vendor.mod); 27.x vendors older ones. */
  static final int[] ENGINE_WITH_MIN_BUILDKIT = {28, 0};

  /** From the core's view of the builder, plus the two versions it may not know. */
  public static BuilderFacts of(Buildx.Info info, String buildkitVersion, String engineVersion) {
    return new BuilderFacts(
        info.version(),
        buildkitVersion,
        engineVersion,
        info.builder(),
        info.driver(),
        info.canExport("gha"));
  }

  /** Facts for a builder that is new enough and can export; for tests and callers that know. */
  public static BuilderFacts capable(String driver) {
    return new BuilderFacts("0.29.1", "v0.25.1", "28.5.2", "default", driver, true);
  }

  static int[] parse(String version) {
    return BuildxVersion.parse(version);
  }

  private static boolean atLeast(int[] version, int[] minimum) {
    return BuildxVersion.atLeast(version, minimum);
  }

  /** Whether buildx is known to be too old for cache service v2. */
  boolean buildxTooOld() {
    return BuildxVersion.tooOld(buildxVersion);
  }

  /**
   * Whether BuildKit is known to be too old for cache service v2: from its own version, or for the
   * {@code docker} driver from the engine's version when BuildKit reports none.
   */
  boolean buildkitTooOld() {
    int[] v = parse(buildkitVersion);
    if (v != null) {
      return !atLeast(v, MIN_BUILDKIT);
    }
    int[] engine = parse(engineVersion);
    return "docker".equals(driver) && engine != null && !atLeast(engine, ENGINE_WITH_MIN_BUILDKIT);
  }

  /** Whether neither BuildKit's nor (for the docker driver) the engine's version is known. */
  boolean buildkitVersionUnknown() {
    return parse(buildkitVersion) == null
        && !("docker".equals(driver) && parse(engineVersion) != null);
  }

  /** The BuildKit version for messages: its own, or "of Docker Engine X". */
  String describeBuildkit() {
    if (parse(buildkitVersion) != null) {
      return "BuildKit " + buildkitVersion;
    }
    return "the BuildKit of Docker Engine " + engineVersion;
  }
}
