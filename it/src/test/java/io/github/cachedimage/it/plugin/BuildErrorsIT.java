package io.github.cachedimage.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.DockerSpy;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.Processes;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The build goal's errors, each with its exact message, through real Maven runs. */
class BuildErrorsIT {
  static final String IMAGE = "cachedimage-it/plugin-errors";
  static MavenSample sample;

  @BeforeAll
  static void setUp() throws Exception {
    TestImages.ensureBaseImages();
    sample = MavenSample.copy("build-basic");
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(IMAGE);
  }

  private static MavenSample.Run run(String... extra) throws Exception {
    String[] args = new String[extra.length + 2];
    args[0] = "verify";
    args[1] = "-Dsample.image=" + IMAGE;
    System.arraycopy(extra, 0, args, 2, extra.length);
    return sample.run(args);
  }

  @Test
  void invalidCacheSpecsNameTheElementAndTheValue() throws Exception {
    run("-Dcachedimage.cacheTo=type=gah,scope=x")
        .assertFailure()
        .assertLogContains(
            "<cacheTo>: unknown cache type 'gah'; expected one of gha, local, registry, inline, s3, azblob");
    run("-Dcachedimage.cacheFrom=type=registry,mode=max")
        .assertFailure()
        .assertLogContains(
            "<cacheFrom>: type=registry needs ref=... but 'type=registry,mode=max' has none");
    run("-Dcachedimage.cacheTo=type=local,dest")
        .assertFailure()
        .assertLogContains(
            "<cacheTo>: malformed attribute 'dest' in 'type=local,dest'; expected key=value");
  }

  @Test
  void missingDockerfileAndContext() throws Exception {
    run("-Dcachedimage.dockerfile=nope/Dockerfile")
        .assertFailure()
        .assertLogContains(
            "<dockerfile>: Dockerfile not found: "
                + sample.file("nope/Dockerfile")
                + " (set <dockerfile> or put a Dockerfile in the context directory)");
    run("-Dcachedimage.contextDirectory=" + sample.file("missing"))
        .assertFailure()
        .assertLogContains(
            "<contextDirectory>: context directory not found: "
                + sample.file("missing")
                + " (set <contextDirectory>)");
  }

  @Test
  void unreadableContextFile() throws Exception {
    Path secret = sample.file("app/unreadable.txt");
    Files.writeString(secret, "x");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    try {
      // root reads anything: drop the capabilities that let it (setpriv, util-linux)
      boolean root = "root".equals(System.getProperty("user.name"));
      List<String> prefix =
          root ? List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search") : List.of();
      assumeTrue(
          !root
              || Processes.run(List.of("sh", "-c", "command -v setpriv"), Duration.ofSeconds(5))
                      .exitCode()
                  == 0);
      sample
          .runWithPrefix(prefix, "verify", "-Dsample.image=" + IMAGE)
          .assertFailure()
          .assertLogContains(
              "cannot read context file "
                  + secret
                  + " (permission denied); fix its permissions or exclude it in .dockerignore");
    } finally {
      Files.delete(secret);
    }
  }

  @Test
  void aFailingStepShowsTheStepAndItsOutputAndWritesNoRecord() throws Exception {
    String salt = "-Dsample.salt=" + UUID.randomUUID();
    run(salt).assertSuccess();
    byte[] before =
        Files.readAllBytes(
            sample.directory().resolve("target/cached-image/cachedimage-it_plugin-errors.json"));

    MavenSample.Run failed =
        run(salt, "-Dcachedimage.dockerfile=failing.Dockerfile").assertFailure();
    failed.assertLogContains(
        IMAGE
            + ": docker buildx build failed at step [2/2] RUN echo \"compiling the thing\" && echo"
            + " \"error: the thing is broken\" >&2 && exit 3: process \"/bin/sh -c echo \\\"compiling the"
            + " thing\\\" && echo \\\"error: the thing is broken\\\" >&2 && exit 3\" did not complete"
            + " successfully: exit code: 3");
    failed.assertLogContains("last output:");
    failed.assertLogContains("  compiling the thing");
    failed.assertLogContains("  error: the thing is broken");
    assertThat(
            Files.readAllBytes(
                sample
                    .directory()
                    .resolve("target/cached-image/cachedimage-it_plugin-errors.json")))
        .isEqualTo(before);
  }

  @Test
  void noEngine() throws Exception {
    sample.environment("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    try {
      run("-Dsample.salt=no-engine")
          .assertFailure()
          .assertLogContains("Cannot reach a Docker engine");
    } finally {
      sample.withoutEnvironment("DOCKER_HOST");
    }
  }

  @Test
  void missingOrOldBuildx() throws Exception {
    Path spyDir =
        sample.directory().resolveSibling(sample.directory().getFileName() + "-fake-docker");
    DockerSpy missing =
        DockerSpy.scripted(
            spyDir,
            "'buildx version') echo \"docker: 'buildx' is not a docker command.\" >&2; exit 1 ;;");
    sample.environment("PATH", missing.path());
    try {
      run("-Dsample.salt=" + UUID.randomUUID())
          .assertFailure()
          .assertLogContains(
              "docker buildx is not available (docker: 'buildx' is not a docker command.). Install the"
                  + " buildx plugin 0.21 or newer: https://github.com/docker/buildx#installing");

      DockerSpy old =
          DockerSpy.scripted(
              spyDir, "'buildx version') echo 'github.com/docker/buildx v0.19.3 abcdef' ;;");
      sample.environment("PATH", old.path());
      run("-Dsample.salt=" + UUID.randomUUID())
          .assertFailure()
          .assertLogContains(
              "docker buildx 0.19.3 is older than 0.21, the oldest version cached-image supports."
                  + " Upgrade the buildx plugin: https://github.com/docker/buildx#installing");

      // The docker driver on the classic image store is unit-tested (CachedImagesTest): the
      // store comes from the engine's API now, which a fake CLI cannot change.
    } finally {
      sample.withoutEnvironment("PATH");
    }
  }

  @Test
  void skip() throws Exception {
    MavenSample.Run run =
        run("-Dcachedimage.skip=true", "-Dcachedimage.cacheTo=type=gah").assertSuccess();
    run.assertLogContains("cached-image: skipped (cachedimage.skip)");
  }
}
