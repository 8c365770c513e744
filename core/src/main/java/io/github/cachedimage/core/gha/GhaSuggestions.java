package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.base.BuildxVersion;

/**
 * Every hint about the gha cache in one place (the core's {@code HelpfulSuggestions} holds the
 * others). Messages name environment variables, never their values.
 */
final class GhaSuggestions {

  static final String TOKEN = "ACTIONS_RUNTIME_TOKEN";
  static final String RESULTS_URL = "ACTIONS_RESULTS_URL";
  static final String CACHE_URL = "ACTIONS_CACHE_URL";
  static final String SERVICE_V2 = "ACTIONS_CACHE_SERVICE_V2";
  static final String RUNTIME_ACTION = "crazy-max/ghaction-github-runtime@v3";

  static final String STRICT_HINT =
      "set ghaStrict (-Dcachedimage.ghaStrict=true) to fail the build instead";

  private GhaSuggestions() {}

  /** The fix whenever the runner's ACTIONS_* variables did not reach the build. */
  static final String RUNTIME_STEP_FIX =
      "add the step '- uses: "
          + RUNTIME_ACTION
          + "' before the step that runs Maven (GitHub gives "
          + TOKEN
          + ", "
          + RESULTS_URL
          + " and "
          + SERVICE_V2
          + " only to JavaScript actions, not to run: steps), or pass these variables to Maven's"
          + " environment";

  static Problem tokenMissing() {
    return new Problem(
        TOKEN + " is not set (and the spec has no token attribute)", RUNTIME_STEP_FIX);
  }

  static Problem urlMissing() {
    return new Problem(
        "neither "
            + RESULTS_URL
            + " nor "
            + CACHE_URL
            + " is set (and the spec has no url attribute)",
        RUNTIME_STEP_FIX);
  }

  static Problem v2NotSelected(String envValue) {
    String what =
        envValue == null
            ? SERVICE_V2 + " is not set"
            : SERVICE_V2
                + "='"
                + envValue
                + "' is not true to buildx (Go's strconv.ParseBool: only 1, t, T, TRUE, true,"
                + " True)";
    return new Problem(
        what
            + ", so BuildKit would use the v1 cache service, which GitHub shut down on"
            + " 2025-04-15",
        RUNTIME_STEP_FIX + " (the runner sets it to True); or add version=2 to the spec");
  }

  static Problem v1Requested() {
    return new Problem(
        "the spec says version=1, the cache service GitHub shut down on 2025-04-15",
        "remove version=1 (or write version=2)");
  }

  static Problem resultsUrlMissingForV2() {
    return new Problem(
        "cache service v2 is selected but "
            + RESULTS_URL
            + " is not set (and the spec has no url_v2 attribute)",
        RUNTIME_STEP_FIX);
  }

  static Problem buildxTooOld(String version) {
    return new Problem(
        "buildx "
            + version
            + " is older than "
            + BuildxVersion.MINIMUM
            + ", the first that speaks cache service v2",
        "upgrade the buildx plugin (on GitHub: docker/setup-buildx-action, or a newer runner"
            + " image)");
  }

  static Problem buildkitTooOld(BuilderFacts facts) {
    return new Problem(
        facts.describeBuildkit()
            + " is older than BuildKit 0.20, the first that speaks cache service v2",
        "use Docker Engine 28 or newer (docker/setup-docker-action), or a docker-container"
            + " builder with a current moby/buildkit image and <builder>");
  }

  static Problem cannotExport(BuilderFacts facts) {
    return new Problem(
        "buildx builder '"
            + facts.builder()
            + "' uses the "
            + facts.driver()
            + " driver without the containerd image store, which has no gha cache backend",
        "turn the containerd image store on (docker/setup-docker-action with daemon-config:"
            + " {\"features\":{\"containerd-snapshotter\":true}}), or create a docker-container"
            + " builder (docker/setup-buildx-action) and name it in <builder>");
  }

  static String badMode(String image, String mode) {
    return image
        + ": type=gha cache-to has mode="
        + mode
        + ", which is neither min nor max; BuildKit silently uses min";
  }

  static String notOnGitHub(String image) {
    return image
        + ": type=gha cache skipped: not running on GitHub Actions (GITHUB_ACTIONS is not true"
        + " and "
        + TOKEN
        + " is not set)";
  }

  static String unknownBuildkit(String image, BuilderFacts facts) {
    return image
        + ": cannot tell the BuildKit version of builder '"
        + facts.builder()
        + "'; the type=gha cache needs BuildKit 0.20 or newer";
  }

  /** One thing missing, and its fix. */
  record Problem(String what, String fix) {}
}
