package io.github.cachedimage.junit;

import static io.github.cachedimage.junit.CachedImageExtensionTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.junit.ComposedAnnotationTestCases.AttributesTestCase;
import io.github.cachedimage.junit.ComposedAnnotationTestCases.ParametersTestCase;
import io.github.cachedimage.junit.ComposedAnnotationTestCases.SkippedStaticFieldTestCase;
import io.github.cachedimage.junit.ComposedAnnotationTestCases.StaticFieldTestCase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * {@code @CachedImage} as a meta-annotation: the extension is registered through the composed
 * annotation, finds the fields and parameters it marks, and reads the attributes given there. No
 * engine: each fixture stops at the first step that would need one, with the exact message.
 */
class ComposedAnnotationTest {

  @Test
  void composedAnnotationOnAStaticFieldRegistersTheExtensionAndNamesTheField() {
    EngineExecutionResults results = Fixtures.run(StaticFieldTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(0));
    List<Event> failed =
        results.containerEvents().failed().list().stream()
            .filter(e -> e.getTestDescriptor().getSource().isPresent())
            .toList();
    assertThat(failed).hasSize(1);
    assertThat(failure(failed.get(0)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "@CachedImage(\"greeter\") on StaticFieldTestCase.app: no Docker engine is reachable"
                + " (simulated: no engine). Start one, or set @CachedImage(disabledWithoutDocker ="
                + " true) to skip these tests when there is none");
  }

  @Test
  void attributesComeFromTheMetaAnnotation() {
    EngineExecutionResults results = Fixtures.run(AttributesTestCase.class);
    List<Event> failed =
        results.containerEvents().failed().list().stream()
            .filter(e -> e.getTestDescriptor().getSource().isPresent())
            .toList();
    assertThat(failed).hasSize(1);
    assertThat(failure(failed.get(0)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "@CachedImage(\"greeter\") on AttributesTestCase.app: env entry 'VERBOSE' is not"
                + " NAME=value");
  }

  @Test
  void disabledWithoutDockerOnTheMetaAnnotationSkipsTheClass() {
    EngineExecutionResults results = Fixtures.run(SkippedStaticFieldTestCase.class);
    results.testEvents().assertStatistics(stats -> stats.started(0));
    List<Event> skipped = results.containerEvents().skipped().list();
    assertThat(skipped).hasSize(1);
    assertThat(skipped.get(0).getPayload(String.class))
        .hasValue(
            "no Docker engine is reachable; disabled by @CachedImage(disabledWithoutDocker = true)"
                + " on SkippedStaticFieldTestCase.app");
  }

  @Test
  void composedAnnotationsOnParametersAreResolvedOrSkipped() {
    EngineExecutionResults results = Fixtures.run(ParametersTestCase.class);
    results
        .testEvents()
        .assertStatistics(stats -> stats.started(2).succeeded(1).failed(1).skipped(1));
    assertThat(failure(results.testEvents().failed().list().get(0)))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageContaining("no Docker engine is reachable (simulated: no engine)");
    assertThat(results.testEvents().skipped().list().get(0).getPayload(String.class))
        .hasValue(
            "no Docker engine is reachable; disabled by @CachedImage(disabledWithoutDocker = true)"
                + " on parameter #1 of ParametersTestCase.skipped(DockerImageName)");
  }
}
