package io.github.cachedimage.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.DockerSpy;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The build goal with its zero-config local cache, on a real engine, as one story: a first build; a
 * fresh CI runner (image removed, build cache pruned, no target/) importing the slow step from the
 * local cache; then no buildx process at all while nothing changes, also after editing an ignored
 * file; and a rebuild after a real change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalCacheIT {
  static final String IMAGE = "cachedimage-it/plugin-local";
  static final String SLOW_STEP = "sleep 5";
  static MavenSample sample;
  static String[] args;

  @BeforeAll
  static void setUp() throws Exception {
    TestImages.ensureBaseImages();
    Docker.removeRepository(IMAGE);
    sample = MavenSample.copy("build-basic");
    args = new String[] {"verify", "-Dsample.image=" + IMAGE, "-Dsample.salt=" + UUID.randomUUID()};
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(IMAGE);
  }

  @Test
  @Order(1)
  void firstBuildPopulatesTheDefaultLocalCache() throws Exception {
    MavenSample.Run run = sample.run(args).assertSuccess();
    run.assertLogContains(IMAGE + ": building (no record)");
    BuildRecord record = sample.record(IMAGE).orElseThrow();
    assertThat(PluginLogs.stepRan(run, SLOW_STEP)).isTrue();
    assertThat(run.linesContaining(IMAGE + ": built " + record.shortImageId() + " in ")).hasSize(1);
    assertThat(Docker.imageId(record.contentTag())).contains(record.imageId());
    assertThat(Docker.imageId(IMAGE + ":latest")).contains(record.imageId());
    assertThat(generations()).hasSize(1);
    System.out.printf(
        "FIGURE plugin first build (default local cache): buildx %d ms, mvn %d ms%n",
        record.buildMillis(), run.took().toMillis());
  }

  @Test
  @Order(2)
  void aFreshRunnerImportsTheSlowStepFromTheLocalCache() throws Exception {
    Docker.removeRepository(IMAGE);
    Docker.pruneBuildCache();
    MavenSample.deleteRecords(sample);

    MavenSample.Run run = sample.run(args).assertSuccess();
    BuildRecord record = sample.record(IMAGE).orElseThrow();
    assertThat(PluginLogs.stepCached(run, SLOW_STEP)).isTrue();
    // FROM is resolved, not cached; the slow RUN, COPY and the last RUN come from the cache
    assertThat(record.cacheSummary().steps()).isEqualTo(4);
    assertThat(record.cacheSummary().cached()).isEqualTo(3);
    assertThat(record.cacheSummary().from())
        .singleElement()
        .asString()
        .startsWith("type=local,src=" + sample.cacheDirectory());
    run.assertLogContains("3/4 steps cached (from type=local,src=" + sample.cacheDirectory());
    // exported to a fresh generation and swapped in: one generation, not an ever-growing directory
    assertThat(generations()).hasSize(1);
    System.out.printf(
        "FIGURE plugin fresh-runner build from local cache: buildx %d ms, mvn %d ms%n",
        record.buildMillis(), run.took().toMillis());
  }

  @Test
  @Order(3)
  void unchangedInputsRunNoBuildxProcessAtAll() throws Exception {
    BuildRecord before = sample.record(IMAGE).orElseThrow();
    DockerSpy spy =
        DockerSpy.passThrough(
            sample.directory().resolveSibling(sample.directory().getFileName() + "-spy"));
    sample.environment("PATH", spy.path());
    try {
      MavenSample.Run run = sample.run(args).assertSuccess();
      assertThat(
              run.linesContaining(
                  IMAGE + ": up to date (" + before.shortImageId() + ", inputs unchanged) in "))
          .hasSize(1);
      assertThat(spy.calls()).isEmpty();
      assertThat(sample.record(IMAGE).orElseThrow().builtAt()).isEqualTo(before.builtAt());
      System.out.println("FIGURE plugin no-op: " + run.linesContaining("up to date").get(0));

      // .dockerignore'd: README.md, app/**/*.tmp
      sample.write("README.md", "edited");
      sample.write("app/scratch.tmp", "temporary");
      run = sample.run(args).assertSuccess();
      run.assertLogContains(IMAGE + ": up to date (");
      assertThat(spy.calls()).isEmpty();
      assertThat(sample.record(IMAGE).orElseThrow().builtAt()).isEqualTo(before.builtAt());

      sample.write("app/message.txt", "version 2");
      run = sample.run(args).assertSuccess();
      run.assertLogContains(IMAGE + ": building (inputs changed: app/message.txt)");
      assertThat(spy.calls()).anyMatch(call -> call.startsWith("buildx build"));
      BuildRecord after = sample.record(IMAGE).orElseThrow();
      assertThat(after.builtAt()).isAfter(before.builtAt());
      assertThat(after.fingerprint()).isNotEqualTo(before.fingerprint());
      assertThat(PluginLogs.stepCached(run, SLOW_STEP)).isTrue();
    } finally {
      sample.withoutEnvironment("PATH");
    }
  }

  private static List<Path> generations() throws Exception {
    Path dir = sample.cacheDirectory().resolve(IMAGE.replace('/', '_'));
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> p.getFileName().toString().startsWith("gen-")).toList();
    }
  }
}
