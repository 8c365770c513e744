package io.github.cachedimage.core.gha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.spec.CacheSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GhaPreflightTest {

  static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhYyI6IltdIn0.c2lnbmF0dXJlLXNlY3JldA";
  static final CacheSpec GHA = CacheSpec.parse("type=gha");
  static final CacheSpec LOCAL = CacheSpec.parse("type=local,src=/tmp/c");
  static final Supplier<BuilderFacts> CAPABLE = () -> BuilderFacts.capable("docker");

  static Map<String, String> runner() {
    Map<String, String> env = new HashMap<>();
    env.put("GITHUB_ACTIONS", "true");
    env.put("ACTIONS_RUNTIME_TOKEN", TOKEN);
    env.put("ACTIONS_CACHE_URL", "https://acghubeus1.actions.githubusercontent.com/abc/");
    env.put("ACTIONS_RESULTS_URL", "https://results-receiver.actions.githubusercontent.com/");
    env.put("ACTIONS_CACHE_SERVICE_V2", "True");
    return env;
  }

  static GhaPlan plan(Map<String, String> env) {
    return GhaPreflight.plan(
        "greeter", List.of(GHA, LOCAL), List.of(GHA), env, CAPABLE, false, false);
  }

  @Test
  void withoutGhaNothingChangesAndTheBuilderIsNotAsked() {
    AtomicInteger asked = new AtomicInteger();
    GhaPlan plan =
        GhaPreflight.plan(
            "greeter",
            List.of(LOCAL),
            List.of(),
            Map.of(),
            () -> {
              asked.incrementAndGet();
              return BuilderFacts.capable("docker");
            },
            true,
            false);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.NOT_CONFIGURED);
    assertThat(plan.cacheFrom()).containsExactly(LOCAL);
    assertThat(plan.warnings()).isEmpty();
    assertThat(asked).hasValue(0);
  }

  @Test
  void onARunnerTheDefaultsApply() {
    GhaPlan plan = plan(runner());
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.ON);
    assertThat(plan.warnings()).isEmpty();
    assertThat(plan.cacheFrom())
        .extracting(CacheSpec::toBuildxArgument)
        .containsExactly("type=gha,scope=greeter,timeout=5m", "type=local,src=/tmp/c");
    assertThat(plan.cacheTo())
        .extracting(CacheSpec::toBuildxArgument)
        .containsExactly("type=gha,scope=greeter,mode=max,ignore-error=true,timeout=5m");
  }

  @Test
  void theEnvironmentNeverEntersTheFlags() {
    GhaPlan plan = plan(runner());
    String flags = plan.cacheFrom().toString() + plan.cacheTo();
    runner()
        .forEach(
            (k, v) -> {
              if (k.startsWith("ACTIONS_")) {
                assertThat(flags).doesNotContain(v);
              }
            });
  }

  @Test
  void explicitAttributesWin() {
    CacheSpec to = CacheSpec.parse("type=gha,scope=shared,mode=min,ignore-error=false,timeout=30s");
    GhaPlan plan =
        GhaPreflight.plan("greeter", List.of(), List.of(to), runner(), CAPABLE, false, false);
    assertThat(plan.cacheTo()).containsExactly(to);
  }

  @Test
  void failOnExportErrorsMeansNoIgnoreErrorDefault() {
    GhaPlan plan =
        GhaPreflight.plan("greeter", List.of(), List.of(GHA), runner(), CAPABLE, false, true);
    assertThat(plan.cacheTo().get(0).attribute("ignore-error")).isNull();
  }

  @Test
  void scopeIsTheImageMadeSafe() {
    assertThat(GhaPreflight.defaultScope("localhost:5000/team/app"))
        .isEqualTo("localhost-5000-team-app");
    assertThat(GhaPreflight.defaultScope("greeter")).isEqualTo("greeter");
  }

  @Test
  void missingTokenOnGitHubDropsGhaWithOneWarningNamingTheVariableAndTheFix() {
    Map<String, String> env = runner();
    env.remove("ACTIONS_RUNTIME_TOKEN");
    GhaPlan plan = plan(env);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.OFF);
    assertThat(plan.cacheFrom()).containsExactly(LOCAL);
    assertThat(plan.cacheTo()).isEmpty();
    assertThat(plan.warnings()).hasSize(1);
    assertThat(plan.warnings().get(0))
        .startsWith(
            "greeter: the type=gha cache cannot work here and buildx would drop it silently:"
                + " ACTIONS_RUNTIME_TOKEN is not set")
        .contains("crazy-max/ghaction-github-runtime@v3")
        .contains("before the step that runs Maven")
        .endsWith("set ghaStrict (-Dcachedimage.ghaStrict=true) to fail the build instead.");
    assertThat(plan.reason()).isEqualTo("ACTIONS_RUNTIME_TOKEN is not set");
  }

  @Test
  void strictModeFailsWithTheSameMessage() {
    Map<String, String> env = runner();
    env.remove("ACTIONS_RUNTIME_TOKEN");
    env.remove("ACTIONS_RESULTS_URL");
    env.remove("ACTIONS_CACHE_URL");
    assertThatThrownBy(
            () -> GhaPreflight.plan("greeter", List.of(GHA), List.of(), env, CAPABLE, true, false))
        .isInstanceOf(GhaCacheUnavailableException.class)
        .hasMessage(
            "greeter: the type=gha cache cannot work here and buildx would drop it silently:"
                + " ACTIONS_RUNTIME_TOKEN is not set (and the spec has no token attribute); neither"
                + " ACTIONS_RESULTS_URL nor ACTIONS_CACHE_URL is set (and the spec has no url attribute)."
                + " Fix: add the step '- uses: crazy-max/ghaction-github-runtime@v3' before the"
                + " step that runs Maven (GitHub gives ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL"
                + " and ACTIONS_CACHE_SERVICE_V2 only to JavaScript actions, not to run: steps),"
                + " or pass these variables to Maven's environment.");
  }

  @Test
  void offGitHubWithoutTokenIsAnInfoAndStrictDoesNotApply() {
    GhaPlan plan =
        GhaPreflight.plan(
            "greeter",
            List.of(GHA),
            List.of(GHA),
            Map.of(),
            () -> {
              throw new AssertionError("not asked");
            },
            true,
            false);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.OFF);
    assertThat(plan.warnings()).isEmpty();
    assertThat(plan.infos())
        .containsExactly(
            "greeter: type=gha cache skipped: not running on GitHub Actions (GITHUB_ACTIONS is not"
                + " true and ACTIONS_RUNTIME_TOKEN is not set)");
    assertThat(plan.cacheFrom()).isEmpty();
  }

  @Test
  void offGitHubWithTheVariablesItWorks() {
    Map<String, String> env = runner();
    env.remove("GITHUB_ACTIONS");
    assertThat(plan(env).status()).isEqualTo(GhaPlan.Status.ON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "t", "T", "TRUE", "true", "True"})
  void goTrueSelectsV2(String value) {
    Map<String, String> env = runner();
    env.put("ACTIONS_CACHE_SERVICE_V2", value);
    env.put("ACTIONS_RESULTS_URL", "http://127.0.0.1:1234/");
    env.put("ACTIONS_CACHE_URL", "http://127.0.0.1:1234/");
    assertThat(plan(env).status()).isEqualTo(GhaPlan.Status.ON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "on", "TrUe", "y", "0", "false"})
  void otherValuesDoNotSelectV2(String value) {
    Map<String, String> env = runner();
    env.put("ACTIONS_CACHE_SERVICE_V2", value);
    env.put("ACTIONS_RESULTS_URL", "http://127.0.0.1:1234/");
    env.put("ACTIONS_CACHE_URL", "http://127.0.0.1:1234/");
    GhaPlan plan = plan(env);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.OFF);
    assertThat(plan.warnings().get(0))
        .contains("ACTIONS_CACHE_SERVICE_V2='" + value + "' is not true to buildx")
        .contains("v1 cache service, which GitHub shut down on 2025-04-15");
  }

  @Test
  void githubsResultsHostMeansV2EvenWithoutTheVariable() {
    Map<String, String> env = runner();
    env.remove("ACTIONS_CACHE_SERVICE_V2");
    env.remove("ACTIONS_CACHE_URL");
    assertThat(plan(env).status()).isEqualTo(GhaPlan.Status.ON);
  }

  @Test
  void unsetV2VariableIsNamed() {
    Map<String, String> env = runner();
    env.remove("ACTIONS_CACHE_SERVICE_V2");
    assertThat(plan(env).warnings().get(0)).contains("ACTIONS_CACHE_SERVICE_V2 is not set");
  }

  @Test
  void explicitVersion2WithAUrlNeedsNoEnvironmentButTheToken() {
    CacheSpec spec = CacheSpec.parse("type=gha,version=2,url=http://127.0.0.1:1/");
    Map<String, String> env = Map.of("GITHUB_ACTIONS", "true", "ACTIONS_RUNTIME_TOKEN", TOKEN);
    GhaPlan plan = GhaPreflight.plan("a", List.of(spec), List.of(), env, CAPABLE, true, false);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.ON);
  }

  @Test
  void explicitVersion1IsRefused() {
    CacheSpec spec = CacheSpec.parse("type=gha,version=1");
    GhaPlan plan =
        GhaPreflight.plan("a", List.of(spec), List.of(), runner(), CAPABLE, false, false);
    assertThat(plan.warnings().get(0)).contains("the spec says version=1");
  }

  @Test
  void v2WithOnlyTheV1UrlIsNamed() {
    Map<String, String> env = runner();
    env.remove("ACTIONS_RESULTS_URL");
    assertThat(plan(env).warnings().get(0))
        .contains("cache service v2 is selected but ACTIONS_RESULTS_URL is not set");
  }

  @Test
  void dockerDriverWithoutContainerdStoreIsNamedWithTheFix() {
    Supplier<BuilderFacts> classic =
        () -> new BuilderFacts("0.29.1", "v0.0.0+unknown", "28.5.2", "default", "docker", false);
    GhaPlan plan =
        GhaPreflight.plan("greeter", List.of(GHA), List.of(GHA), runner(), classic, false, false);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.OFF);
    assertThat(plan.warnings().get(0))
        .contains(
            "buildx builder 'default' uses the docker driver without the containerd image store")
        .contains("containerd-snapshotter")
        .contains("docker-container");
  }

  @Test
  void oldBuildxAndOldEngineAreNamed() {
    Supplier<BuilderFacts> old =
        () -> new BuilderFacts("0.20.1", "v0.0.0+unknown", "27.5.1", "default", "docker", true);
    GhaPlan plan = GhaPreflight.plan("a", List.of(GHA), List.of(), runner(), old, false, false);
    assertThat(plan.warnings().get(0))
        .contains("buildx 0.20.1 is older than 0.21")
        .contains("the BuildKit of Docker Engine 27.5.1 is older than BuildKit 0.20");
  }

  @Test
  void debiansUnstampedBuildkitCountsByTheEngine() {
    Supplier<BuilderFacts> debian =
        () ->
            new BuilderFacts(
                "0.29.1+ds1", "v0.0.0+unknown", "28.5.2+dfsg4", "default", "docker", true);
    GhaPlan plan = GhaPreflight.plan("a", List.of(GHA), List.of(), runner(), debian, false, false);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.ON);
    assertThat(plan.infos()).isEmpty();
  }

  @Test
  void oldBuildkitOfAContainerBuilderIsNamed() {
    Supplier<BuilderFacts> old =
        () -> new BuilderFacts("0.29.1", "v0.19.0", null, "ci", "docker-container", true);
    GhaPlan plan = GhaPreflight.plan("a", List.of(GHA), List.of(), runner(), old, false, false);
    assertThat(plan.warnings().get(0)).contains("BuildKit v0.19.0 is older than BuildKit 0.20");
  }

  @Test
  void unknownBuildkitIsAnInfoNotAReasonToDrop() {
    Supplier<BuilderFacts> unknown =
        () -> new BuilderFacts("0.29.1", null, null, "remote1", "remote", true);
    GhaPlan plan = GhaPreflight.plan("a", List.of(GHA), List.of(), runner(), unknown, true, false);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.ON);
    assertThat(plan.infos())
        .singleElement()
        .asString()
        .contains("cannot tell the BuildKit version");
  }

  @Test
  void aModeBuildkitWouldIgnoreIsWarned() {
    CacheSpec to = CacheSpec.parse("type=gha,mode=maximum");
    GhaPlan plan = GhaPreflight.plan("a", List.of(), List.of(to), runner(), CAPABLE, false, false);
    assertThat(plan.status()).isEqualTo(GhaPlan.Status.ON);
    assertThat(plan.warnings())
        .containsExactly(
            "a: type=gha cache-to has mode=maximum, which is neither min nor max; BuildKit silently"
                + " uses min");
  }

  @Test
  void noMessageEverHoldsTheToken() {
    Map<String, String> env = runner();
    env.put("ACTIONS_CACHE_SERVICE_V2", "no");
    CacheSpec withToken = CacheSpec.parse("type=gha,token=" + TOKEN + "x");
    GhaPlan plan =
        GhaPreflight.plan("a", List.of(withToken), List.of(GHA), env, CAPABLE, false, false);
    assertThat(String.join("\n", plan.warnings()) + plan.infos() + plan.reason())
        .doesNotContain(TOKEN);
  }
}
