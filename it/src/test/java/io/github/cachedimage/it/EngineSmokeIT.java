package io.github.cachedimage.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.it.support.BuildOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Smoke test of the environment, not of our features: the engine's BuildKit exports a local cache,
 * a fresh daemon state (image removed, build cache pruned) imports the slow step from it, and
 * Testcontainers runs the result.
 */
class EngineSmokeIT {

  private static final String IMAGE = "cachedimage-it/engine-smoke:latest";
  // A nonce, so that an earlier run's build cache on the same engine cannot serve the first build.
  private static final String SLOW_STEP =
      "RUN echo "
          + java.util.UUID.randomUUID()
          + " > /nonce && sleep 3 && head -c 2000000 /dev/urandom > /blob";

  @TempDir static Path work;

  @AfterAll
  static void removeImage() throws Exception {
    run(List.of("docker", "image", "rm", "-f", IMAGE));
  }

  @Test
  void buildExportsLocalCacheThatAFreshDaemonImportsAndTestcontainersRunsTheImage()
      throws Exception {
    Path context = Files.createDirectories(work.resolve("context"));
    // FROM scratch plus busybox-static: nothing to pull.
    Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
    Files.writeString(
        context.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM scratch",
            "COPY busybox /bin/busybox",
            "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]",
            SLOW_STEP,
            "CMD [\"/bin/sh\", \"-c\", \"echo smoke-ok; sleep 60\"]",
            ""));
    Path cache = work.resolve("cache");

    Result first = buildx(context, "--cache-to", "type=local,mode=max,dest=" + cache);
    assertThat(first.exitCode).as(first.output).isZero();
    assertThat(BuildOutput.stepRan(first.output, SLOW_STEP)).as(first.output).isTrue();
    assertThat(cache.resolve("index.json")).exists();

    // A fresh CI runner: no image, no build cache; only the exported cache directory.
    assertThat(run(List.of("docker", "image", "rm", "-f", IMAGE)).exitCode).isZero();
    Result prune = run(List.of("docker", "builder", "prune", "-af"));
    assertThat(prune.exitCode).as(prune.output).isZero();

    Result second = buildx(context, "--cache-from", "type=local,src=" + cache);
    assertThat(second.exitCode).as(second.output).isZero();
    // CACHED, or (a race under load) only its layers fetched from the cache, then DONE
    assertThat(BuildOutput.stepFromCache(second.output, SLOW_STEP))
        .as("slow step from the cache in:%n%s", second.output)
        .isTrue();

    try (GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(IMAGE))
            .waitingFor(Wait.forLogMessage(".*smoke-ok.*", 1))) {
      container.start();
      assertThat(container.getLogs()).contains("smoke-ok");
      var blob = container.execInContainer("wc", "-c", "/blob");
      assertThat(blob.getStdout().trim()).startsWith("2000000");
    }
  }

  /** {@code docker buildx build --load} of the context with plain progress and one cache flag. */
  private static Result buildx(Path context, String cacheFlag, String cacheSpec)
      throws IOException, InterruptedException {
    return run(
        List.of(
            "docker",
            "buildx",
            "build",
            "--progress=plain",
            "--load",
            "-t",
            IMAGE,
            cacheFlag,
            cacheSpec,
            context.toString()));
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(work, "cmd", ".log");
    Process process =
        new ProcessBuilder(new ArrayList<>(command))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("timed out after 5 minutes: " + command);
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
