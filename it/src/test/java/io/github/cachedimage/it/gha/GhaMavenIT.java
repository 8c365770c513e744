package io.github.cachedimage.it.gha;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.BuildOutput;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.ItPaths;
import io.github.cachedimage.it.support.Leaks;
import io.github.cachedimage.it.support.MavenSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gha cache through real Maven: {@code mvn verify} on {@code it/samples-gha/two-images} (two
 * executions, two images, {@code type=gha} without a scope), with exactly the environment a GitHub
 * runner gives a {@code run:} step after {@code crazy-max/ghaction-github-runtime}, the ACTIONS_*
 * variables pointing at {@link GhaCacheEmulator}.
 */
class GhaMavenIT {

  private static final List<String> IMAGES =
      List.of("cachedimage-it-gha/maven-one", "cachedimage-it-gha/maven-two");

  private static GhaCacheEmulator emulator;

  @BeforeAll
  static void start() throws IOException {
    emulator = GhaCacheEmulator.start();
  }

  @AfterAll
  static void stop() {
    emulator.close();
    IMAGES.forEach(Docker::removeRepository);
  }

  @Test
  void aFreshRunnerImportsEachImagesOwnCacheAndTheSummaryShowsIt() throws Exception {
    MavenSample sample = sample();
    Path summary = sample.directory().resolve("step-summary.md");
    runner(sample, summary);

    MavenSample.Run cold = sample.run("verify").assertSuccess();
    assertThat(emulator.committedKeys())
        .anyMatch(k -> k.startsWith("index-cachedimage-it-gha-maven-one-1-"))
        .anyMatch(k -> k.startsWith("index-cachedimage-it-gha-maven-two-1-"));

    IMAGES.forEach(Docker::removeRepository);
    Docker.pruneBuildCache();
    MavenSample.Run warm = sample.run("verify").assertSuccess();

    for (String image : IMAGES) {
      BuildRecord record = sample.record(image).orElseThrow();
      assertThat(record.cacheSummary().cached()).as(image).isGreaterThanOrEqualTo(2);
      assertThat(slowStepCachedFor(warm.log(), image)).as(image).isTrue();
    }
    BuildRecord one = sample.record(IMAGES.get(0)).orElseThrow();
    GhaCacheIT.figure(
        "gha fresh-runner cached build (mvn verify, 2 images): Maven run %d ms (cold run %d ms);"
            + " buildx for one image %d ms, %d/%d steps cached",
        warm.took().toMillis(),
        cold.took().toMillis(),
        one.buildMillis(),
        one.cacheSummary().cached(),
        one.cacheSummary().steps());

    List<String> rows =
        Files.readAllLines(summary).stream().filter(l -> l.startsWith("| `")).toList();
    assertThat(rows).hasSize(4).allMatch(l -> l.contains("| built |"));
    assertThat(rows.get(2)).contains("gha scope=cachedimage-it-gha-maven-one (from, to)");
    assertNoToken(sample, cold, warm);
  }

  @Test
  void withoutTheTokenTheBuildWarnsAndStrictModeFails() throws Exception {
    MavenSample sample = sample();
    Path summary = sample.directory().resolve("step-summary.md");
    runner(sample, summary);
    sample.environment("ACTIONS_RUNTIME_TOKEN", ""); // the runtime step is missing

    MavenSample.Run lenient = sample.run("verify").assertSuccess();
    assertThat(lenient.linesContaining("[WARNING]"))
        .anyMatch(
            l ->
                l.contains("cachedimage-it-gha/maven-one: the type=gha cache cannot work here")
                    && l.contains("ACTIONS_RUNTIME_TOKEN is not set")
                    && l.contains("crazy-max/ghaction-github-runtime@v3"));

    sample.write("one/nonce.txt", UUID.randomUUID() + "\n");
    MavenSample.Run strict = sample.run("verify", "-Dcachedimage.ghaStrict=true").assertFailure();
    assertThat(strict.linesContaining("[ERROR]"))
        .anyMatch(
            l ->
                l.contains("cachedimage-it-gha/maven-one: the type=gha cache cannot work here")
                    && l.contains("ACTIONS_RUNTIME_TOKEN is not set"));
    assertNoToken(sample, lenient, strict);
  }

  private static MavenSample sample() throws IOException {
    MavenSample sample =
        MavenSample.copy(ItPaths.samples().resolveSibling("samples-gha").resolve("two-images"));
    sample.write("one/nonce.txt", UUID.randomUUID() + "\n");
    sample.write("two/nonce.txt", UUID.randomUUID() + "\n");
    return sample;
  }

  /** A run: step after the runtime step; every ACTIONS_* set, so a real runner's cannot leak in. */
  private static void runner(MavenSample sample, Path summary) {
    sample.environment("GITHUB_ACTIONS", "true");
    sample.environment("GITHUB_STEP_SUMMARY", summary.toString());
    emulator.runnerEnvironment().forEach(sample::environment);
  }

  private static boolean slowStepCachedFor(String log, String image) {
    // The mojo streams each image's buildx output between "<image>: building" and "<image>: built".
    String section = log.substring(log.indexOf(image + ": building"));
    section = section.substring(0, section.indexOf(image + ": built"));
    return BuildOutput.stepFromCache(section, "RUN sleep 3 ");
  }

  private static void assertNoToken(MavenSample sample, MavenSample.Run... runs)
      throws IOException {
    Leaks.assertNotInLogs(List.of(runs), emulator.token());
    Leaks.assertNotInFiles(Leaks.filesUnder(List.of(sample.directory())), emulator.token());
  }
}
