package io.github.cachedimage.junit;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategyTarget;

/**
 * The container half of {@link CachedImage}, validated before any image work so that a typo fails
 * at once instead of after a build.
 */
record ContainerSettings(
    List<Integer> exposedPorts,
    Map<String, String> env,
    List<String> command,
    CachedImage.WaitFor waitFor,
    String waitValue,
    Duration startupTimeout) {

  /** How much of a failed container's log goes into the failure. */
  static final int LOG_LINES = 50;

  /**
   * @throws IllegalArgumentException naming the bad attribute and value
   */
  static ContainerSettings of(CachedImage annotation) {
    for (int port : annotation.exposedPorts()) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("exposedPorts: " + port + " is not a port (1-65535)");
      }
    }
    if (annotation.startupTimeoutSeconds() <= 0) {
      throw new IllegalArgumentException(
          "startupTimeoutSeconds must be positive, but was: " + annotation.startupTimeoutSeconds());
    }
    String waitValue = annotation.waitValue();
    switch (annotation.waitFor()) {
      case LOG -> {
        if (waitValue.isEmpty()) {
          throw new IllegalArgumentException(
              "waitFor = LOG needs waitValue, a regular expression to find in a log line");
        }
        try {
          Pattern.compile(waitValue);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException(
              "waitValue '" + waitValue + "' is not a regular expression: " + e.getDescription());
        }
      }
      case HTTP -> {
        if (annotation.exposedPorts().length == 0) {
          throw new IllegalArgumentException("waitFor = HTTP needs exposedPorts");
        }
        if (waitValue.isEmpty()) {
          waitValue = "/";
        } else if (!waitValue.startsWith("/")) {
          throw new IllegalArgumentException(
              "waitValue '" + waitValue + "' for waitFor = HTTP must be a path starting with /");
        }
      }
      default -> {}
    }
    return new ContainerSettings(
        Arrays.stream(annotation.exposedPorts()).boxed().toList(),
        KeyValues.parse("env", annotation.env()),
        List.of(annotation.command()),
        annotation.waitFor(),
        waitValue,
        Duration.ofSeconds(annotation.startupTimeoutSeconds()));
  }

  /** A container of the image with these settings, not started. */
  CachedImageContainer create(EnsuredImage image) {
    CachedImageContainer container = new CachedImageContainer(image.remoteImage());
    if (!exposedPorts.isEmpty()) {
      container.withExposedPorts(exposedPorts.toArray(Integer[]::new));
    }
    if (!env.isEmpty()) {
      container.withEnv(env);
    }
    if (!command.isEmpty()) {
      container.withCommand(command.toArray(String[]::new));
    }
    container.waitingFor(waitStrategy().withStartupTimeout(startupTimeout));
    return container;
  }

  private WaitStrategy waitStrategy() {
    return switch (waitFor) {
      case LISTENING_PORT -> Wait.forListeningPort();
      case HTTP -> Wait.forHttp(waitValue);
      // Testcontainers matches whole frames, trailing newline included.
      case LOG -> Wait.forLogMessage("(?s).*(?:" + waitValue + ").*", 1);
      case NONE -> new NoWait();
    };
  }

  /**
   * Creates and starts; on failure, stops what was created and throws with the container's log.
   *
   * @throws ContainerLaunchException with the cause and the last {@value #LOG_LINES} log lines
   */
  GenericContainer<?> start(EnsuredImage image, String prefix) {
    CachedImageContainer container = create(image);
    try {
      container.start();
      return container;
    } catch (RuntimeException e) {
      try {
        container.stop(); // Testcontainers stopped it already; this is for a start that did not
      } catch (RuntimeException stopFailure) {
        e.addSuppressed(stopFailure);
      }
      throw new ContainerLaunchException(
          prefix
              + Messages.startFailed(
                  image.reference(),
                  image.imageId(),
                  container.failedState(),
                  e,
                  logTail(container.failedLog())),
          e);
    }
  }

  private static String logTail(List<String> lines) {
    if (lines.isEmpty()) {
      return ": none";
    }
    List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
    String header =
        tail.size() < lines.size()
            ? " (last " + tail.size() + " of " + lines.size() + " lines):"
            : ":";
    return header + "\n  " + String.join("\n  ", tail);
  }

  /** {@link CachedImage.WaitFor#NONE}. */
  private static final class NoWait implements WaitStrategy {
    @Override
    public void waitUntilReady(WaitStrategyTarget target) {}

    @Override
    public WaitStrategy withStartupTimeout(Duration startupTimeout) {
      return this;
    }
  }
}
