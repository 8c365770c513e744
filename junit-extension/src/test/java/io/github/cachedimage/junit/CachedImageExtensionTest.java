package io.github.cachedimage.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.junit.UnitTestCases.AlreadyInitialisedTestCase;
import io.github.cachedimage.junit.UnitTestCases.DisabledWithoutDockerTestCase;
import io.github.cachedimage.junit.UnitTestCases.FinalFieldTestCase;
import io.github.cachedimage.junit.UnitTestCases.InstanceDisabledWithoutDockerTestCase;
import io.github.cachedimage.junit.UnitTestCases.InvalidEnvTestCase;
import io.github.cachedimage.junit.UnitTestCases.InvalidWaitTestCase;
import io.github.cachedimage.junit.UnitTestCases.NoDockerTestCase;
import io.github.cachedimage.junit.UnitTestCases.OnlyAnnotatedNeedDockerTestCase;
import io.github.cachedimage.junit.UnitTestCases.ParameterDisabledWithoutDockerTestCase;
import io.github.cachedimage.junit.UnitTestCases.UnknownImageTestCase;
import io.github.cachedimage.junit.UnitTestCases.WrongParameterTypeTestCase;
import io.github.cachedimage.junit.UnitTestCases.WrongTypeTestCase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/** The extension's errors and skips, without a Docker engine: exact messages. */
class CachedImageExtensionTest {

  @Test
  void fieldOfWrongTypeFailsTheClass() {
    assertClassFails(
        WrongTypeTestCase.class,
        ExtensionConfigurationException.class,
        "@CachedImage WrongTypeTestCase.app must be of type GenericContainer<?> (a started"
            + " container) or DockerImageName (the image only), but was: java.lang.String. For a"
            + " GenericContainer subclass or a Testcontainers module, drop @CachedImage and create"
            + " it from CachedImageResolver.ensure(...)");
  }

  @Test
  void finalFieldFailsTheClass() {
    assertClassFails(
        FinalFieldTestCase.class,
        ExtensionConfigurationException.class,
        "@CachedImage field FinalFieldTestCase.app must not be final: the extension assigns it");
  }

  @Test
  void initialisedFieldFailsTheTest() {
    EngineExecutionResults results = Fixtures.run(AlreadyInitialisedTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
    assertThat(failure(results.testEvents().failed().list().get(0)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "@CachedImage field AlreadyInitialisedTestCase.image is already initialised; the"
                + " extension creates what it assigns (and stops it afterwards). Remove the"
                + " initialiser, or drop @CachedImage and create the container yourself from"
                + " CachedImageResolver.ensure(...)");
  }

  @Test
  void unknownImageWithoutDockerfileSaysWhereItLooked(@TempDir Path records) {
    Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    EngineExecutionResults results =
        Fixtures.run(
            UnknownImageTestCase.class, Map.of("cachedimage.recordDirectory", records.toString()));
    assertClassFails(
        results,
        ExtensionConfigurationException.class,
        "@CachedImage(\"no-such-image\") on UnknownImageTestCase.app: no record of image"
            + " 'no-such-image' at "
            + records.resolve("no-such-image.json")
            + " and no Dockerfile to build it from at "
            + base.toAbsolutePath().normalize().resolve("Dockerfile")
            + ". Build it with the cached-image plugin first (e.g. mvn verify), set"
            + " cachedimage.recordDirectory if the record is elsewhere, or point"
            + " @CachedImage(context = ..., dockerfile = ...) at its Dockerfile");
  }

  @Test
  void unreachableDockerFailsWithTheReasonAndTheSkipOption() {
    assertClassFails(
        NoDockerTestCase.class,
        ExtensionConfigurationException.class,
        "@CachedImage(\"greeter\") on NoDockerTestCase.app: no Docker engine is reachable"
            + " (simulated: no engine). Start one, or set @CachedImage(disabledWithoutDocker ="
            + " true) to skip these tests when there is none");
  }

  @Test
  void disabledWithoutDockerSkipsTheClass() {
    EngineExecutionResults results = Fixtures.run(DisabledWithoutDockerTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(0).skipped(0));
    List<Event> skipped = results.containerEvents().skipped().list();
    assertThat(skipped).hasSize(1);
    assertThat(skipped.get(0).getPayload(String.class))
        .hasValue(
            "no Docker engine is reachable; disabled by @CachedImage(disabledWithoutDocker = true)"
                + " on DisabledWithoutDockerTestCase.app");
  }

  @Test
  void disabledWithoutDockerOnAnInstanceFieldSkipsEachTest() {
    EngineExecutionResults results = Fixtures.run(InstanceDisabledWithoutDockerTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(0).skipped(2));
    assertThat(results.testEvents().skipped().list())
        .allSatisfy(
            event ->
                assertThat(event.getPayload(String.class))
                    .hasValue(
                        "no Docker engine is reachable; disabled by"
                            + " @CachedImage(disabledWithoutDocker = true) on"
                            + " InstanceDisabledWithoutDockerTestCase.app"));
  }

  @Test
  void disabledWithoutDockerOnAParameterSkipsThatTest() {
    EngineExecutionResults results = Fixtures.run(ParameterDisabledWithoutDockerTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1).skipped(1));
    assertThat(results.testEvents().skipped().list().get(0).getPayload(String.class))
        .hasValue(
            "no Docker engine is reachable; disabled by @CachedImage(disabledWithoutDocker = true)"
                + " on parameter #1 of"
                + " ParameterDisabledWithoutDockerTestCase.needsDocker(DockerImageName)");
  }

  @Test
  void invalidAttributeFailsBeforeAnyImageWork() {
    // NoDocker: had the extension looked for the image first, this would be the engine error.
    assertClassFails(
        InvalidEnvTestCase.class,
        ExtensionConfigurationException.class,
        "@CachedImage(\"greeter\") on InvalidEnvTestCase.app: env entry 'VERBOSE' is not"
            + " NAME=value");
  }

  @Test
  void invalidWaitRegexNamesTheAttribute() {
    EngineExecutionResults results = Fixtures.run(InvalidWaitTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
    assertThat(failure(results.testEvents().failed().list().get(0)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "@CachedImage(\"greeter\") on InvalidWaitTestCase.app: waitValue 'started (' is not a"
                + " regular expression: Unclosed group");
  }

  @Test
  void parameterOfWrongTypeFailsThatTest() {
    EngineExecutionResults results = Fixtures.run(WrongParameterTypeTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
    assertThat(failure(results.testEvents().failed().list().get(0)))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageStartingWith(
            "@CachedImage parameter #1 of WrongParameterTypeTestCase.one(String) must be of type"
                + " GenericContainer<?> (a started container) or DockerImageName (the image only),"
                + " but was: java.lang.String.");
  }

  @Test
  void testsWithoutTheAnnotationDoNotNeedDocker() {
    EngineExecutionResults results = Fixtures.run(OnlyAnnotatedNeedDockerTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
    assertThat(failure(results.testEvents().failed().list().get(0)))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageContaining("no Docker engine is reachable (simulated: no engine)");
  }

  private static void assertClassFails(Class<?> fixture, Class<?> type, String message) {
    assertClassFails(Fixtures.run(fixture), type, message);
  }

  private static void assertClassFails(
      EngineExecutionResults results, Class<?> type, String message) {
    results.testEvents().assertStatistics(stats -> stats.started(0));
    List<Event> failed =
        results.containerEvents().failed().list().stream()
            .filter(e -> e.getTestDescriptor().getSource().isPresent())
            .toList();
    assertThat(failed).hasSize(1);
    assertThat(failure(failed.get(0))).isInstanceOf(type).hasMessage(message);
  }

  static Throwable failure(Event event) {
    assertThat(event.getType()).isEqualTo(EventType.FINISHED);
    return event
        .getPayload(TestExecutionResult.class)
        .flatMap(TestExecutionResult::getThrowable)
        .orElseThrow();
  }
}
