package io.github.cachedimage.it.support;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A build in a JVM of its own, as the mojo runs it, for tests that kill that JVM: {@code <engine
 * host> <image> <context> <record dir> <cache root>}. Logs to stdout, one line each.
 */
public final class ChildBuild {
  public static final String DELAY = "CACHED_IMAGE_IT_DELAY";

  private ChildBuild() {}

  /** The spec both the killed JVM and the test's rerun build. */
  public static BuildSpec spec(String image, Path context) {
    return BuildSpec.builder(image, context)
        .secret(SecretSpec.parse("id=delay,env=" + DELAY))
        .build();
  }

  public static void main(String[] args) {
    String host = args[0];
    BuildLog log =
        new BuildLog() {
          @Override
          public void info(String message) {
            System.out.println("INFO " + message);
          }

          @Override
          public void warn(String message) {
            System.out.println("WARN " + message);
          }

          @Override
          public void debug(String message) {}

          @Override
          public void progress(String line) {
            System.out.println("PROGRESS " + line);
          }
        };
    DockerEndpoint endpoint = DockerEndpoint.of(host, "test");
    new CachedImages(
            log,
            new UnixSocketImages(endpoint.unixSocket().orElseThrow()),
            new CliBuildx(ProcessBuilder::new, Duration.ofMinutes(10), () -> endpoint),
            Path.of(args[4]))
        .ensure(spec(args[1], Path.of(args[2])), Path.of(args[3]));
    System.out.println("DONE");
  }

  /** A JVM running {@link #main} with this test JVM's classpath, its output merged into a pipe. */
  public static Process start(
      String host, String image, Path context, Path records, Path cache, int delaySeconds)
      throws java.io.IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                ChildBuild.class.getName(),
                host,
                image,
                context.toString(),
                records.toString(),
                cache.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put(DELAY, String.valueOf(delaySeconds));
    return pb.start();
  }
}
