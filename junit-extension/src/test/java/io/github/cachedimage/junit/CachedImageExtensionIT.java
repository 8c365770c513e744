package io.github.cachedimage.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.junit.DockerTestCases.BrokenBuildTestCase;
import io.github.cachedimage.junit.DockerTestCases.CrashingTestCase;
import io.github.cachedimage.junit.DockerTestCases.HelloInstanceTestCase;
import io.github.cachedimage.junit.DockerTestCases.HelloParameterTestCase;
import io.github.cachedimage.junit.DockerTestCases.HelloStaticTestCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.utility.DockerImageName;

/** The extension against the real engine: build, reuse, rebuild, and the failures it reports. */
class CachedImageExtensionIT {
  private static final Path BASE =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")));

  @TempDir Path records;
  private Map<String, String> configuration;

  @BeforeEach
  void freshContexts() throws IOException {
    for (String name : List.of("hello", "broken", "crashing")) {
      Path target = BASE.resolve("target/it-contexts").resolve(name);
      deleteTree(target);
      Files.createDirectories(target);
      try (Stream<Path> files =
          Files.list(BASE.resolve("src/test/resources/images").resolve(name))) {
        for (Path file : files.toList()) {
          Files.copy(file, target.resolve(file.getFileName()));
        }
      }
    }
    configuration = Map.of("cachedimage.recordDirectory", records.toString());
  }

  /** Leaves no images of these tests behind (their layers stay in the build cache). */
  @AfterAll
  static void removeImages() {
    for (var image : docker().listImagesCmd().exec()) {
      if (image.getRepoTags() != null
          && Stream.of(image.getRepoTags()).anyMatch(t -> t.startsWith("cachedimage-junit-it/"))) {
        docker().removeImageCmd(image.getId()).withForce(true).exec();
      }
    }
  }

  @Test
  void buildsOnceWithoutARecordThenRunsTheRecordedImageWithoutBuilding() {
    EngineExecutionResults first = Fixtures.run(HelloStaticTestCase.class, configuration);
    first.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    first.containerEvents().assertStatistics(stats -> stats.failed(0));
    // Two fields, parallel tests, one ensure: both fields report the very same summary.
    List<String> summaries = summaries(first);
    assertThat(summaries).hasSize(2);
    assertThat(new HashSet<>(summaries)).hasSize(1);
    assertThat(summaries.get(0)).startsWith(DockerTestCases.HELLO + ": built sha256:");
    assertThat(summaries.get(0)).contains(" s (no record), ");
    BuildRecord record = new RecordStore(records, DockerTestCases.HELLO).record().orElseThrow();

    EngineExecutionResults second = Fixtures.run(HelloStaticTestCase.class, configuration);
    second.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(summaries(second))
        .allSatisfy(
            s ->
                assertThat(s)
                    .startsWith(
                        DockerTestCases.HELLO
                            + ": up to date ("
                            + record.shortImageId()
                            + ", inputs unchanged) in "));
    assertThat(new RecordStore(records, DockerTestCases.HELLO).record().orElseThrow().builtAt())
        .isEqualTo(record.builtAt());
    assertStopped();
  }

  @Test
  void oneEnsurePerRunAcrossConcurrentClasses() {
    EngineExecutionResults results =
        Fixtures.run(
            configuration,
            HelloStaticTestCase.class,
            HelloInstanceTestCase.class,
            HelloParameterTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(6).succeeded(6));
    List<String> summaries = summaries(results);
    // 2 static fields, 3 instance-field tests, 2 parameters: one build, one summary.
    assertThat(summaries).hasSize(7);
    assertThat(new HashSet<>(summaries)).hasSize(1);
    assertThat(summaries.get(0)).startsWith(DockerTestCases.HELLO + ": built ");
  }

  @Test
  void rebuildsWhenTheImageIsGone() {
    Fixtures.run(HelloStaticTestCase.class, configuration)
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(2));
    BuildRecord record = new RecordStore(records, DockerTestCases.HELLO).record().orElseThrow();
    docker().removeImageCmd(record.imageId()).withForce(true).exec();

    EngineExecutionResults results = Fixtures.run(HelloStaticTestCase.class, configuration);
    results.testEvents().assertStatistics(stats -> stats.succeeded(2));
    assertThat(summaries(results).get(0))
        .startsWith(DockerTestCases.HELLO + ": built ")
        .contains(" s (image " + record.shortImageId() + " is gone from the engine), ");
  }

  @Test
  void rebuildsWhenAnInputChangedAndRunsTheNewImage() throws IOException {
    Fixtures.run(HelloStaticTestCase.class, configuration)
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(2));
    Files.writeString(
        BASE.resolve(DockerTestCases.HELLO_CONTEXT).resolve("index.html"), "changed\n");

    EngineExecutionResults results = Fixtures.run(HelloStaticTestCase.class, configuration);
    // The fixture compares the body with the context's index.html: the new image serves it.
    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(summaries(results).get(0))
        .startsWith(DockerTestCases.HELLO + ": built ")
        .contains(" s (inputs changed: index.html), ");
  }

  @Test
  void restoresARemovedContentTagInsteadOfPulling() {
    Fixtures.run(HelloStaticTestCase.class, configuration)
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(2));
    BuildRecord record = new RecordStore(records, DockerTestCases.HELLO).record().orElseThrow();
    docker().removeImageCmd(record.contentTag()).exec(); // :latest still holds the image

    EngineExecutionResults results = Fixtures.run(HelloStaticTestCase.class, configuration);
    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertThat(summaries(results).get(0)).contains(": up to date (");
  }

  @Test
  void instanceFieldsGetAContainerPerTestAndNestedTestsToo() {
    DockerTestCases.CONTAINER_IDS.clear();
    EngineExecutionResults results = Fixtures.run(HelloInstanceTestCase.class, configuration);
    results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(3));
    assertThat(new HashSet<>(DockerTestCases.CONTAINER_IDS)).hasSize(3);
    assertStopped();
  }

  @Test
  void parametersGetAContainerAndTheImageName() {
    DockerTestCases.CONTAINER_IDS.clear();
    EngineExecutionResults results = Fixtures.run(HelloParameterTestCase.class, configuration);
    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    assertThat(DockerTestCases.CONTAINER_IDS).hasSize(1);
    assertStopped();
  }

  @Test
  void envCommandAndLogWaitApply() {
    EngineExecutionResults results =
        Fixtures.run(DockerTestCases.CommandAndLogTestCase.class, configuration);
    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
  }

  @Test
  void failedBuildShowsTheStepAndItsOutputNotAPullError() {
    EngineExecutionResults results = Fixtures.run(BrokenBuildTestCase.class, configuration);
    results.testEvents().assertStatistics(stats -> stats.started(0));
    Throwable failure = classFailure(results);
    assertThat(failure).isInstanceOf(ExtensionConfigurationException.class);
    assertThat(failure.getMessage())
        .startsWith(
            "@CachedImage(\"cachedimage-junit-it/broken\") on BrokenBuildTestCase.app:"
                + " cachedimage-junit-it/broken: docker buildx build failed at step [2/2] RUN echo")
        .contains("about to fail")
        .contains("no such thing")
        .doesNotContainIgnoringCase("pull");
    assertThat(new RecordStore(records, "cachedimage-junit-it/broken").record()).isEmpty();
  }

  @Test
  void containerThatFailsToStartShowsItsLog() {
    EngineExecutionResults results = Fixtures.run(CrashingTestCase.class, configuration);
    results.testEvents().assertStatistics(stats -> stats.started(0));
    Throwable failure = classFailure(results);
    BuildRecord record =
        new RecordStore(records, "cachedimage-junit-it/crashing").record().orElseThrow();
    assertThat(failure).isInstanceOf(ContainerLaunchException.class);
    assertThat(failure.getMessage())
        .startsWith(
            "@CachedImage(\"cachedimage-junit-it/crashing\") on CrashingTestCase.app: container of"
                + " image "
                + record.contentTag()
                + " ("
                + record.imageId()
                + ") failed to start (exited with code 3): Container startup failed for image ")
        // stdout and stderr lines, in whichever order the engine interleaved them
        .contains("\ncontainer log:\n  ")
        .contains("\n  starting up")
        .contains("\n  fatal: config missing");
    assertThat(
            docker().listContainersCmd().withShowAll(true).exec().stream()
                .filter(c -> record.contentTag().equals(c.getImage())))
        .isEmpty();
  }

  @Test
  void resolverEnsuresTheImageForContainersUsersCreate() {
    Fixtures.run(HelloStaticTestCase.class, configuration)
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(2));
    BuildRecord record = new RecordStore(records, DockerTestCases.HELLO).record().orElseThrow();
    DockerImageName name = CachedImageResolver.ensure(DockerTestCases.HELLO, records);
    assertThat(name.asCanonicalNameString()).isEqualTo(record.contentTag());
  }

  private static List<String> summaries(EngineExecutionResults results) {
    return results.allEvents().reportingEntryPublished().stream()
        .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
        .filter(pairs -> pairs.containsKey("cachedimage." + DockerTestCases.HELLO))
        .map(pairs -> pairs.get("cachedimage." + DockerTestCases.HELLO))
        .toList();
  }

  private static Throwable classFailure(EngineExecutionResults results) {
    List<Event> failed =
        results.containerEvents().failed().list().stream()
            .filter(e -> e.getTestDescriptor().getSource().isPresent())
            .toList();
    assertThat(failed).hasSize(1);
    return CachedImageExtensionTest.failure(failed.get(0));
  }

  private static void assertStopped() {
    for (String id : DockerTestCases.CONTAINER_IDS) {
      try {
        docker().inspectContainerCmd(id).exec();
        throw new AssertionError("container " + id + " was not removed");
      } catch (NotFoundException expected) {
        // stopped and removed
      }
    }
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
