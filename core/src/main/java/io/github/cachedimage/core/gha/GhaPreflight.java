package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.gha.GhaSuggestions.Problem;
import io.github.cachedimage.core.spec.CacheSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Checks, before a build, everything buildx and BuildKit would otherwise check silently for a
 * {@code type=gha} cache, and applies our defaults to the gha entries that can work.
 *
 * <p>buildx keeps a gha entry only when it has a token and a URL, filling both from {@code
 * ACTIONS_RUNTIME_TOKEN} / {@code ACTIONS_CACHE_URL} / {@code ACTIONS_RESULTS_URL} and the protocol
 * version from {@code ACTIONS_CACHE_SERVICE_V2}; otherwise it drops the entry without a word
 * (docker/buildx {@code build/opt.go}, {@code addGithubToken} and {@code isActive}). GitHub gives
 * those variables to JavaScript actions only, so from a {@code run: mvn verify} step the cache is
 * silently inert. This class mirrors those rules so the user hears about it:
 *
 * <ul>
 *   <li>token: the {@code token} attribute or {@code ACTIONS_RUNTIME_TOKEN};
 *   <li>URL: {@code url} / {@code url_v2}, or {@code ACTIONS_CACHE_URL} / {@code
 *       ACTIONS_RESULTS_URL};
 *   <li>cache service v2 (v1 is shut down): {@code version=2}, {@code url_v2}, or {@code
 *       ACTIONS_CACHE_SERVICE_V2} true under Go's {@code strconv.ParseBool};
 *   <li>buildx 0.21+ and BuildKit 0.20+ (for the {@code docker} driver whose BuildKit reports no
 *       version, Docker Engine 28.0+);
 *   <li>a builder with the gha backend ({@code docker} driver: only with the containerd image
 *       store).
 * </ul>
 *
 * When something is missing, all gha entries are dropped with one warning naming what and the fix
 * (or {@link GhaCacheUnavailableException} in strict mode). Off GitHub Actions ({@code
 * GITHUB_ACTIONS} not {@code true} and no token anywhere) the gha entries are dropped with an info
 * line and strict mode does not apply: a developer's machine has no Actions cache.
 *
 * <p>Defaults, each applied only when the attribute is absent:
 *
 * <ul>
 *   <li>{@code scope=<image>} (with {@code /} and {@code :} as {@code -}): BuildKit's default scope
 *       {@code buildkit} makes every image of a repository overwrite the others' cache index
 *       (moby/buildkit#2885);
 *   <li>{@code mode=max} on export: caches every stage's layers, not only the final image's, so a
 *       multi-stage build's slow builder stage is a hit on the next runner;
 *   <li>{@code ignore-error=true} on export (unless the spec asks to fail on export errors): a
 *       throttled (HTTP 429) or failing cache service must not fail a build whose image is fine;
 *   <li>{@code timeout=5m} on both: BuildKit retries a throttled request with backoff until this
 *       timeout (default 10m), so it bounds how long a throttled cache can stall a job.
 * </ul>
 *
 * Nothing here puts the token on a command line: buildx reads it from the environment the build
 * process inherits. The plan only depends on the environment through which entries are kept, never
 * through attribute values taken from it.
 */
final class GhaPreflight {

  /** Default {@code timeout} for gha entries; see the class comment. */
  public static final String DEFAULT_TIMEOUT = "5m";

  static final String RESULTS_RECEIVER = "results-receiver.actions.githubusercontent.com";

  private GhaPreflight() {}

  /** Whether any entry is {@code type=gha}. */
  public static boolean configured(List<CacheSpec> cacheFrom, List<CacheSpec> cacheTo) {
    return cacheFrom.stream().anyMatch(GhaPreflight::isGha)
        || cacheTo.stream().anyMatch(GhaPreflight::isGha);
  }

  static boolean isGha(CacheSpec spec) {
    return "gha".equals(spec.type());
  }

  /**
   * The cache entries to build with.
   *
   * @param image the image's repository name (for the default scope and messages)
   * @param cacheFrom configured {@code --cache-from} entries
   * @param cacheTo configured {@code --cache-to} entries
   * @param env the build process's environment ({@code System.getenv()} in production)
   * @param builder facts about buildx and the builder; asked only when a gha entry is configured
   *     and the build runs on GitHub Actions (or has a token)
   * @param strict fail instead of dropping the gha entries
   * @param failOnExportError the spec asks export errors to fail the build: no {@code
   *     ignore-error=true} default
   * @throws GhaCacheUnavailableException in strict mode, when a gha entry cannot work
   */
  public static GhaPlan plan(
      String image,
      List<CacheSpec> cacheFrom,
      List<CacheSpec> cacheTo,
      Map<String, String> env,
      Supplier<BuilderFacts> builder,
      boolean strict,
      boolean failOnExportError) {
    if (!configured(cacheFrom, cacheTo)) {
      return new GhaPlan(
          cacheFrom, cacheTo, GhaPlan.Status.NOT_CONFIGURED, null, List.of(), List.of());
    }
    List<CacheSpec> all = new ArrayList<>(cacheFrom);
    all.addAll(cacheTo);
    List<String> infos = new ArrayList<>();
    boolean anyToken =
        GhaEnvironment.present(env.get(GhaSuggestions.TOKEN))
            || all.stream()
                .filter(GhaPreflight::isGha)
                .anyMatch(s -> GhaEnvironment.present(s.attribute("token")));
    if (!"true".equals(env.get("GITHUB_ACTIONS")) && !anyToken) {
      infos.add(GhaSuggestions.notOnGitHub(image));
      return new GhaPlan(
          withoutGha(cacheFrom),
          withoutGha(cacheTo),
          GhaPlan.Status.OFF,
          "not on GitHub Actions",
          List.of(),
          infos);
    }

    Set<Problem> problems = new LinkedHashSet<>();
    for (CacheSpec spec : all) {
      if (isGha(spec)) {
        problems.addAll(GhaEnvironment.problems(spec, env));
      }
    }
    BuilderFacts facts = builder.get();
    if (!facts.canExportGha()) {
      problems.add(GhaSuggestions.cannotExport(facts));
    }
    if (facts.buildxTooOld()) {
      problems.add(GhaSuggestions.buildxTooOld(facts.buildxVersion()));
    }
    if (facts.buildkitTooOld()) {
      problems.add(GhaSuggestions.buildkitTooOld(facts));
    } else if (facts.buildkitVersionUnknown()) {
      infos.add(GhaSuggestions.unknownBuildkit(image, facts));
    }

    if (!problems.isEmpty()) {
      String message = message(image, problems);
      if (strict) {
        throw new GhaCacheUnavailableException(message + ".");
      }
      return new GhaPlan(
          withoutGha(cacheFrom),
          withoutGha(cacheTo),
          GhaPlan.Status.OFF,
          shortReason(problems),
          List.of(message + ". Building without it; " + GhaSuggestions.STRICT_HINT + "."),
          infos);
    }

    List<String> warnings = new ArrayList<>();
    String scope = defaultScope(image);
    List<CacheSpec> from =
        cacheFrom.stream()
            .map(s -> isGha(s) ? withDefaults(s, scope, false, failOnExportError) : s)
            .toList();
    List<CacheSpec> to =
        cacheTo.stream()
            .map(s -> isGha(s) ? withDefaults(s, scope, true, failOnExportError) : s)
            .toList();
    for (CacheSpec spec : to) {
      String mode = spec.attribute("mode");
      if (isGha(spec) && !"min".equals(mode) && !"max".equals(mode)) {
        warnings.add(GhaSuggestions.badMode(image, mode));
      }
    }
    return new GhaPlan(from, to, GhaPlan.Status.ON, null, warnings, infos);
  }

  private static CacheSpec withDefaults(
      CacheSpec spec, String scope, boolean export, boolean failOnExportError) {
    Map<String, String> attributes = new LinkedHashMap<>(spec.attributes());
    attributes.putIfAbsent("scope", scope);
    if (export) {
      attributes.putIfAbsent("mode", "max");
      if (!failOnExportError) {
        attributes.putIfAbsent("ignore-error", "true");
      }
    }
    attributes.putIfAbsent("timeout", DEFAULT_TIMEOUT);
    return new CacheSpec(spec.type(), attributes);
  }

  /**
   * The default scope of an image: its repository name with {@code /} and {@code :} (and anything
   * else outside {@code [A-Za-z0-9._-]}) as {@code -}, so {@code localhost:5000/team/app} becomes
   * {@code localhost-5000-team-app}.
   */
  public static String defaultScope(String image) {
    return image.replaceAll("[^A-Za-z0-9._-]", "-");
  }

  private static List<CacheSpec> withoutGha(List<CacheSpec> specs) {
    return specs.stream().filter(s -> !isGha(s)).toList();
  }

  private static String message(String image, Set<Problem> problems) {
    String what = problems.stream().map(Problem::what).collect(Collectors.joining("; "));
    String fix = problems.stream().map(Problem::fix).distinct().collect(Collectors.joining("; "));
    return image
        + ": the type=gha cache cannot work here and buildx would drop it silently: "
        + what
        + ". Fix: "
        + fix;
  }

  private static String shortReason(Set<Problem> problems) {
    return problems.stream()
        .map(p -> p.what().replaceFirst(" \\(.*", "").replaceFirst(",.*", ""))
        .collect(Collectors.joining("; "));
  }
}
