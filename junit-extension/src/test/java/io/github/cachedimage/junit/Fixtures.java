package io.github.cachedimage.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerImages;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Runs {@code *TestCase} fixtures through the Jupiter engine, with parallel execution on. */
final class Fixtures {
  private Fixtures() {}

  static EngineExecutionResults run(Class<?> fixture) {
    return run(fixture, Map.of());
  }

  static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
    return run(configuration, fixture);
  }

  /** Several fixture classes in one run (one root store), concurrently. */
  static EngineExecutionResults run(Map<String, String> configuration, Class<?>... fixtures) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter(
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .configurationParameters(configuration)
        .selectors(
            java.util.Arrays.stream(fixtures)
                .map(c -> selectClass(c))
                .toArray(org.junit.platform.engine.DiscoverySelector[]::new))
        .execute();
  }

  /**
   * Puts a {@link DockerAccess} without a reachable engine into the run's root store before the
   * extension looks for one. An execution condition because conditions are the first extension
   * callbacks (class-level {@code @ExtendWith} ones before those of annotated fields); it never
   * disables anything.
   */
  static final class NoDocker implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      context
          .getRoot()
          .getStore(CachedImageExtension.NAMESPACE)
          .put(DockerAccess.class, new FakeDocker(false));
      return ConditionEvaluationResult.enabled("simulating an absent engine");
    }
  }

  /** An engine that answers and has no images. */
  static final class EmptyDocker implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      context
          .getRoot()
          .getStore(CachedImageExtension.NAMESPACE)
          .put(DockerAccess.class, new FakeDocker(true));
      return ConditionEvaluationResult.enabled("simulating an empty engine");
    }
  }

  record FakeDocker(boolean reachable) implements DockerAccess {
    @Override
    public boolean isReachable() {
      return reachable;
    }

    @Override
    public String unreachableReason() {
      return "simulated: no engine";
    }

    @Override
    public DockerImages images() {
      return new DockerImages() {
        @Override
        public boolean isReachable() {
          return reachable;
        }

        @Override
        public Optional<String> findImage(String imageIdOrRef) {
          return Optional.empty();
        }
      };
    }

    @Override
    public io.github.cachedimage.core.engine.ImageTransfer transfer() {
      throw new UnsupportedOperationException("no registry in this test double");
    }

    @Override
    public DockerEndpoint endpoint() {
      return DockerEndpoint.of("unix:///simulated.sock", "test");
    }

    @Override
    public void tag(String imageId, String repository, String tag) {
      throw new UnsupportedOperationException();
    }
  }
}
