package io.github.cachedimage.it.gha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.gha.GhaCacheUnavailableException;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.it.support.BuildOutput;
import io.github.cachedimage.it.support.RecordingLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * The gha cache end to end through the core (CachedImages with the real {@code docker buildx} CLI,
 * the engine's real BuildKit) against {@link GhaCacheEmulator}. The buildx process gets exactly the
 * variables a GitHub runner gives after {@code crazy-max/ghaction-github-runtime}, and nothing on
 * its command line says where the cache is: buildx fills token and URL from the environment.
 *
 * <p>Each image's Dockerfile carries a fresh nonce, so no earlier run's build cache can answer; "a
 * fresh runner" is {@code docker rmi} plus {@code docker builder prune -af}.
 */
class GhaCacheIT {

  private static final String PREFIX = "cachedimage-it-gha/";

  private static GhaCacheEmulator emulator;
  private static final List<String> imagesToRemove =
      Collections.synchronizedList(new ArrayList<>());

  @TempDir Path work;
  private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
  private Path summary;

  @BeforeAll
  static void startEmulator() throws IOException {
    emulator = GhaCacheEmulator.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (emulator != null) {
      emulator.close();
    }
    for (String image : imagesToRemove) {
      run("docker", "image", "rm", "-f", image + ":latest");
    }
  }

  @BeforeEach
  void summaryFile() {
    summary = work.resolve("step-summary.md");
  }

  @AfterEach
  void resetEmulator() {
    emulator.resetFaults();
  }

  // --- the five behaviours of issue 5 --------------------------------------------------------

  @Test
  void exportsToTheCacheServiceAndAFreshRunnerImportsTheSlowStep() throws Exception {
    String image = PREFIX + "roundtrip";
    BuildSpec spec = spec(image, "type=gha", "type=gha");
    Path records = work.resolve("records");

    EnsureResult cold = images(runner()).ensure(spec, records);
    assertThat(cold.built()).isTrue();
    assertThat(emulator.committedKeys())
        .anyMatch(k -> k.startsWith("index-cachedimage-it-gha-roundtrip-1-"))
        .anyMatch(k -> k.startsWith("buildkit-blob-1-sha256:"));

    freshRunner(image);
    logLines.clear();
    long t0 = System.nanoTime();
    EnsureResult warm = images(runner()).ensure(spec, records);
    long warmMillis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(warm.built()).isTrue();
    assertThat(slowStepCached()).as("log:\n%s", String.join("\n", logLines)).isTrue();
    BuildRecord record = new RecordStore(records, image).record().orElseThrow();
    assertThat(record.cacheSummary().cached()).isGreaterThanOrEqualTo(2);
    assertThat(record.cacheSummary().from())
        .containsExactly("type=gha,scope=cachedimage-it-gha-roundtrip,timeout=5m");
    figure(
        "gha fresh-runner cached build (direct, CachedImages + CLI buildx): ensure %d ms, buildx"
            + " %d ms, cold build %d ms, %d/%d steps cached",
        warmMillis,
        record.buildMillis(),
        cold.record().buildMillis(),
        record.cacheSummary().cached(),
        record.cacheSummary().steps());
    assertNoToken(records);
  }

  @Test
  void twoImagesWithTheDefaultScopeKeepTheirOwnCache() throws Exception {
    String alpha = PREFIX + "alpha";
    String beta = PREFIX + "beta";
    Path records = work.resolve("records");
    CachedImages images = images(runner());
    images.ensure(spec(alpha, "type=gha", "type=gha"), records);
    images.ensure(spec(beta, "type=gha", "type=gha"), records);

    assertThat(emulator.committedKeys())
        .anyMatch(k -> k.startsWith("index-cachedimage-it-gha-alpha-1-"))
        .anyMatch(k -> k.startsWith("index-cachedimage-it-gha-beta-1-"));

    for (String image : List.of(alpha, beta)) {
      freshRunner(image);
      logLines.clear();
      images.ensure(spec(image, "type=gha", "type=gha"), records);
      assertThat(slowStepCached()).as("%s imports its own cache", image).isTrue();
    }
  }

  @Test
  void withoutTheTokenOnGitHubTheWarningNamesItAndTheFixAndTheBuildSucceeds() throws Exception {
    Map<String, String> env = runner();
    env.remove("ACTIONS_RUNTIME_TOKEN");
    int before = emulator.requests().size();
    String image = PREFIX + "notoken";

    EnsureResult result = images(env).ensure(spec(image, "type=gha", "type=gha"), work);

    assertThat(result.built()).isTrue();
    assertThat(logLines)
        .filteredOn(l -> l.startsWith("WARN "))
        .singleElement()
        .asString()
        .contains("ACTIONS_RUNTIME_TOKEN is not set")
        .contains("crazy-max/ghaction-github-runtime@v3")
        .contains("-Dcachedimage.ghaStrict=true");
    assertThat(emulator.requests()).hasSize(before);
    assertThat(Files.readString(summary)).contains("gha off: ACTIONS_RUNTIME_TOKEN is not set");
  }

  @Test
  void withoutTheTokenStrictModeFailsBeforeBuilding() {
    Map<String, String> env = runner();
    env.remove("ACTIONS_RUNTIME_TOKEN");
    String image = PREFIX + "strict";

    assertThatThrownBy(
            () -> images(env).withGhaStrict(true).ensure(spec(image, "type=gha", "type=gha"), work))
        .isInstanceOf(GhaCacheUnavailableException.class)
        .hasMessageContaining("ACTIONS_RUNTIME_TOKEN is not set")
        .hasMessageContaining("crazy-max/ghaction-github-runtime@v3");
    assertThat(new RecordStore(work, image).record()).isEmpty();
    assertThat(logLines).noneMatch(l -> l.startsWith("PROGRESS "));
  }

  @Test
  void aThrottledCacheServiceCostsAWarningNotTheBuild() throws Exception {
    // 429 is retried by BuildKit until the timeout: keep it short here (the default is 5m).
    emulator.failApiWith(429, -1);
    assertBuildSurvives(PREFIX + "throttled", "timeout=5s");
  }

  @Test
  void aFailingCacheServiceCostsAWarningNotTheBuild() throws Exception {
    emulator.failApiWith(500, -1);
    assertBuildSurvives(PREFIX + "failing", "timeout=5s");
  }

  @Test
  void anUploadDroppedOnEveryTryIsAStalledExportNotAHungBuild() throws Exception {
    // BuildKit retries a dropped upload a few times, then waits silently for hours: the build is
    // stopped once the export has printed nothing for the stall time (10 s here, 5 min by default)
    emulator.failUploadsWith(0, -1);
    String image = PREFIX + "dropped";
    Path records = work.resolve("records");
    EnsureResult result =
        images(runner(), Duration.ofSeconds(10))
            .ensure(spec(image, "type=gha", "type=gha"), records);
    assertThat(result.built()).isTrue();
    assertThat(logLines)
        .as("log:\n%s", String.join("\n", logLines))
        .filteredOn(l -> l.startsWith("WARN "))
        .singleElement()
        .asString()
        .contains("type=gha,scope=" + image.replace('/', '-'))
        .contains("stalled");
    BuildRecord record = new RecordStore(records, image).record().orElseThrow();
    assertThat(DockerJavaImagesHolder.images.findImage(record.contentTag()))
        .contains(record.imageId());
    assertThat(emulator.committedKeys()).noneMatch(k -> k.contains(image.replace('/', '-')));
  }

  @Test
  void theStepSummaryIsAWellFormedTableAndNoTokenLeaksAnywhere() throws Exception {
    String image = PREFIX + "summary";
    Path records = work.resolve("records");
    CachedImages images = images(runner());
    // a token written into the spec too: it must not reach the record or the summary either
    String withToken = "type=gha,token=" + emulator.token();
    images.ensure(spec(image, withToken, "type=gha"), records);
    images.ensure(spec(image, withToken, "type=gha"), records); // up to date

    List<String> lines = Files.readAllLines(summary);
    List<String> tables = lines.stream().filter(l -> l.startsWith("|")).toList();
    assertThat(tables)
        .hasSize(6)
        .allMatch(l -> l.endsWith("|") && l.split("(?<!\\\\)\\|", -1).length == 7);
    assertThat(tables.get(0)).isEqualTo("| image | result | steps cached | time | cache |");
    assertThat(tables.get(1)).isEqualTo("|---|---|---|---|---|");
    assertThat(tables.get(2))
        .startsWith("| `" + image + "` | built | ")
        .endsWith(" | gha scope=cachedimage-it-gha-summary (from, to) |");
    assertThat(tables.get(5))
        .startsWith("| `" + image + "` | up to date | no build (inputs unchanged) | ");
    assertNoToken(records);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private void assertBuildSurvives(String image, String extra) throws Exception {
    Path records = work.resolve("records");
    EnsureResult result =
        images(runner()).ensure(spec(image, "type=gha," + extra, "type=gha," + extra), records);
    assertThat(result.built()).isTrue();
    // one warning for the cache, import and export failures together
    assertThat(logLines)
        .as("log:\n%s", String.join("\n", logLines))
        .filteredOn(l -> l.startsWith("WARN "))
        .singleElement()
        .asString()
        .contains("type=gha,scope=" + image.replace('/', '-'))
        .contains("the cache was not updated");
    assertThat(result.record().cacheSummary().from()).isEmpty();
    BuildRecord record = new RecordStore(records, image).record().orElseThrow();
    assertThat(record.imageId()).isEqualTo(result.record().imageId());
    assertThat(DockerJavaImagesHolder.images.findImage(record.contentTag()))
        .contains(record.imageId());
    assertThat(record.cacheSummary().steps()).isGreaterThanOrEqualTo(3);
    assertNoToken(records);
  }

  private boolean slowStepCached() {
    String progress =
        logLines.stream()
            .filter(l -> l.startsWith("PROGRESS "))
            .map(l -> l.substring("PROGRESS ".length()))
            .collect(Collectors.joining("\n"));
    return BuildOutput.stepFromCache(progress, "RUN sleep 3 ");
  }

  private void assertNoToken(Path records) throws IOException {
    String token = emulator.token();
    assertThat(String.join("\n", logLines)).doesNotContain(token);
    if (Files.exists(summary)) {
      assertThat(Files.readString(summary)).doesNotContain(token);
    }
    if (Files.isDirectory(records)) {
      try (var files = Files.walk(records)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(Files.readString(f, StandardCharsets.ISO_8859_1))
              .as("%s", f)
              .doesNotContain(token);
        }
      }
    }
  }

  /** A runner after the runtime step: ACTIONS_* pointing at the emulator, and a step summary. */
  private Map<String, String> runner() {
    Map<String, String> env = new HashMap<>(emulator.runnerEnvironment());
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_STEP_SUMMARY", summary.toString());
    return env;
  }

  /** The core as the mojo runs it, but with this environment for buildx and the preflight. */
  private CachedImages images(Map<String, String> env) {
    return images(env, CliBuildx.DEFAULT_EXPORT_STALL);
  }

  private CachedImages images(Map<String, String> env, Duration exportStall) {
    Map<String, String> childEnv = Map.copyOf(env);
    CliBuildx buildx =
        new CliBuildx(
                command -> {
                  ProcessBuilder pb = new ProcessBuilder(command);
                  pb.environment().keySet().removeIf(k -> k.startsWith("ACTIONS_"));
                  pb.environment().putAll(childEnv);
                  return pb;
                },
                Duration.ofMinutes(10),
                DockerEndpoints::fromEnvironment)
            .withExportStall(exportStall);
    return new CachedImages(
            log(), DockerJavaImagesHolder.images, buildx, work.resolve("default-cache"))
        .withEnvironment(env);
  }

  private BuildLog log() {
    return new RecordingLog(logLines);
  }

  /** The image's spec; its context (with a fresh nonce) is written on first use in a test. */
  private BuildSpec spec(String image, String cacheFrom, String cacheTo) throws IOException {
    imagesToRemove.add(image);
    Path context = work.resolve("ctx-" + image.replace('/', '-'));
    if (!Files.exists(context)) {
      Files.createDirectories(context);
      Files.writeString(context.resolve("nonce.txt"), UUID.randomUUID() + "\n");
    }
    Files.writeString(
        context.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM cachedimage-local/busybox:1",
            "COPY nonce.txt /nonce.txt",
            "RUN sleep 3 && head -c 3000000 /dev/urandom > /blob",
            "CMD [\"cat\", \"/nonce.txt\"]",
            ""));
    return BuildSpec.builder(image, context)
        .cacheFrom(CacheSpec.parseImport(cacheFrom))
        .cacheTo(CacheSpec.parseExport(cacheTo))
        .build();
  }

  /** What a new runner starts with: no image, no build cache. */
  private static void freshRunner(String image) throws Exception {
    run("docker", "image", "rm", "-f", image + ":latest");
    try (var tags = imageTags(image)) {
      for (String tag : tags.toList()) {
        run("docker", "image", "rm", "-f", tag);
      }
    }
    run("docker", "builder", "prune", "-af");
  }

  private static java.util.stream.Stream<String> imageTags(String image) throws Exception {
    String out = run("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", image);
    return out.lines().filter(l -> !l.isBlank());
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " timed out");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  static void figure(String format, Object... args) throws IOException {
    String line = String.format(Locale.ROOT, format, args);
    System.out.println("[figure] " + line);
    Path file = Path.of("target", "gha-figures.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        line + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  private static final class DockerJavaImagesHolder {
    static final DockerJavaImages images =
        new DockerJavaImages(DockerClientFactory.instance().client(), "testcontainers");
  }
}
