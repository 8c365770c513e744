package io.github.cachedimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.base.BuildxVersion;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliBuildxTest {
  private static final Path CONTEXT = Path.of("/work/greeter");
  private static final Path META = Path.of("/tmp/metadata.json");

  @Test
  void buildCommandIsExactlyThis() {
    BuildSpec spec =
        BuildSpec.builder("greeter", CONTEXT)
            .dockerfile(CONTEXT.resolve("docker/Dockerfile"))
            .buildArg("JAR", "target/greeter.jar")
            .buildArg("A", "1")
            .label("team", "core")
            .target("runtime")
            .platform("linux/amd64")
            .secret(SecretSpec.parse("id=npmrc,src=/home/me/.npmrc"))
            .builderName("remote")
            .pull(true)
            .noCache(true)
            .build();
    Buildx.Invocation invocation =
        new Buildx.Invocation(
            spec,
            List.of("greeter:fp-0123456789ab", "greeter:latest"),
            List.of(CacheSpec.parseImport("type=registry,ref=localhost:5000/greeter:cache")),
            List.of(
                CacheSpec.parseExport("type=registry,ref=localhost:5000/greeter:cache,mode=max")),
            Path.of("/work/greeter/target/cached-image/.metadata-1.json"));
    assertThat(CliBuildx.buildCommand(invocation))
        .containsExactly(
            "docker",
            "buildx",
            "build",
            "--builder",
            "remote",
            "--progress=plain",
            "--file",
            "/work/greeter/docker/Dockerfile",
            "--metadata-file",
            "/work/greeter/target/cached-image/.metadata-1.json",
            "--load",
            "--tag",
            "greeter:fp-0123456789ab",
            "--tag",
            "greeter:latest",
            "--target",
            "runtime",
            "--platform",
            "linux/amd64",
            "--build-arg",
            "A=1",
            "--build-arg",
            "JAR=target/greeter.jar",
            "--label",
            "team=core",
            "--secret",
            "id=npmrc,src=/home/me/.npmrc",
            "--cache-from",
            "type=registry,ref=localhost:5000/greeter:cache",
            "--cache-to",
            "type=registry,ref=localhost:5000/greeter:cache,mode=max",
            "--pull",
            "--no-cache",
            "/work/greeter");
  }

  @Test
  void minimalCommand() {
    BuildSpec spec = BuildSpec.builder("greeter", CONTEXT).build();
    assertThat(
            CliBuildx.buildCommand(
                new Buildx.Invocation(
                    spec, List.of("greeter:latest"), List.of(), List.of(), Path.of("/m.json"))))
        .containsExactly(
            "docker",
            "buildx",
            "build",
            "--progress=plain",
            "--file",
            "/work/greeter/Dockerfile",
            "--metadata-file",
            "/m.json",
            "--load",
            "--tag",
            "greeter:latest",
            "/work/greeter");
  }

  /** A stand-in for the docker CLI: answers each command with canned output. */
  private static CliBuildx fakeDocker(Map<String, String> outputs, List<List<String>> seen) {
    return new CliBuildx(
        command -> {
          seen.add(command);
          String key = String.join(" ", command.subList(0, Math.min(3, command.size())));
          String script = outputs.getOrDefault(key, "echo unexpected; exit 99");
          return new ProcessBuilder("sh", "-c", script);
        },
        Duration.ofSeconds(20),
        () -> LOCAL);
  }

  private static final DockerEndpoint LOCAL =
      DockerEndpoint.of(DockerEndpoint.DEFAULT_UNIX_HOST, "test");

  @Test
  void everyProcessSeesTheEndpointWhateverTheCallersEnvironmentSays() {
    String show =
        "echo \"$DOCKER_HOST|$DOCKER_TLS_VERIFY|$DOCKER_CERT_PATH|${DOCKER_CONTEXT-none}\"";
    Function<List<String>, ProcessBuilder> processes =
        command -> {
          ProcessBuilder pb = new ProcessBuilder("sh", "-c", show);
          pb.environment().put("DOCKER_CONTEXT", "desktop-linux"); // what the user's shell had
          pb.environment().put("DOCKER_HOST", "unix:///elsewhere.sock");
          return pb;
        };
    DockerEndpoint tls =
        new DockerEndpoint("tcp://127.0.0.1:2376", true, Path.of("/certs"), null, "Testcontainers");
    assertThat(output(new CliBuildx(processes, Duration.ofSeconds(20), () -> tls)))
        .containsExactly("tcp://127.0.0.1:2376|1|/certs|none");

    DockerEndpoint context =
        new DockerEndpoint("unix:///var/run/other.sock", false, null, "second", "context");
    assertThat(output(new CliBuildx(processes, Duration.ofSeconds(20), () -> context)))
        .containsExactly("|||second");
  }

  private static List<String> output(CliBuildx buildx) {
    List<String> lines = new ArrayList<>();
    BuildSpec spec = BuildSpec.builder("greeter", CONTEXT).build();
    buildx.build(
        new Buildx.Invocation(spec, List.of("greeter:latest"), List.of(), List.of(), META),
        lines::add);
    return lines;
  }

  @Test
  void infoReadsVersionAndDriverWithTwoProcessesAndTakesTheStoreFromTheEngine() {
    List<List<String>> seen = new ArrayList<>();
    CliBuildx buildx =
        fakeDocker(
            Map.of(
                "docker buildx version", "echo 'github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4'",
                "docker buildx inspect",
                    "printf 'Name:          default\\nDriver:        docker\\n'"),
            seen);
    Buildx.Info info = buildx.info(null);
    assertThat(info.version()).isEqualTo("0.29.1");
    assertThat(info.builder()).isEqualTo("default");
    assertThat(info.driver()).isEqualTo("docker");
    assertThat(seen)
        .containsExactly(
            List.of("docker", "buildx", "version"), List.of("docker", "buildx", "inspect"));
    // no `docker info` process: the engine's API says which image store it has
    assertThat(info.containerdImageStore()).isFalse();
    assertThat(info.canExport("registry")).isFalse();
    Buildx.Info onEngine =
        info.onEngine(new EngineInfo("ID", "unix:///x.sock", "28.5.2", false, true));
    assertThat(onEngine.containerdImageStore()).isTrue();
    assertThat(onEngine.engineVersion()).isEqualTo("28.5.2");
    assertThat(onEngine.canExport("registry")).isTrue();
    assertThat(
            info.onEngine(new EngineInfo("ID", "unix:///x.sock", "28.5.2", false, false))
                .containerdImageStore())
        .isFalse();
  }

  @Test
  void versionAndInspectRunAtTheSameTime(@TempDir Path dir) {
    // version answers only once inspect has started: run one after the other, it would fail
    Path started = dir.resolve("inspect-started");
    CliBuildx buildx =
        fakeDocker(
            Map.of(
                "docker buildx version",
                    "for i in $(seq 100); do [ -e '"
                        + started
                        + "' ] && break; sleep 0.1; done; [ -e '"
                        + started
                        + "' ] || { echo 'inspect never started' >&2; exit 1; }; "
                        + "echo 'github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4'",
                "docker buildx inspect",
                    "touch '"
                        + started
                        + "'; printf 'Name:          default\\nDriver:        docker\\n'"),
            new ArrayList<>());
    assertThat(buildx.info(null).driver()).isEqualTo("docker");
  }

  @Test
  void missingBuildxSaysHowToInstallIt() {
    CliBuildx buildx =
        fakeDocker(
            Map.of(
                "docker buildx version",
                "echo \"docker: 'buildx' is not a docker command.\" >&2; exit 1"),
            new ArrayList<>());
    assertThatThrownBy(() -> buildx.info(null))
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessage(
            "docker buildx is not available (docker: 'buildx' is not a docker command.). Install the"
                + " buildx plugin 0.21 or newer: https://github.com/docker/buildx#installing");
  }

  @Test
  void noEngineIsDockerUnavailable() {
    CliBuildx buildx =
        fakeDocker(
            Map.of(
                "docker buildx version",
                "echo 'github.com/docker/buildx v0.29.1 abc'",
                "docker buildx inspect",
                "echo 'ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1"),
            new ArrayList<>());
    assertThatThrownBy(() -> buildx.info(null))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageStartingWith(
            "Cannot reach a Docker engine (ERROR: Cannot connect to the Docker daemon");
  }

  @Test
  void buildStreamsEveryLineAndReturnsTheExitCode() {
    List<String> lines = new ArrayList<>();
    CliBuildx buildx =
        new CliBuildx(
            cmd -> new ProcessBuilder("sh", "-c", "echo '#1 one'; echo '#1 DONE' >&2; exit 3"),
            Duration.ofSeconds(20),
            () -> LOCAL);
    BuildSpec spec = BuildSpec.builder("greeter", CONTEXT).build();
    int exit =
        buildx.build(
            new Buildx.Invocation(
                spec, List.of("greeter:latest"), List.of(), List.of(), Path.of("/m")),
            lines::add);
    assertThat(exit).isEqualTo(3);
    assertThat(lines).containsExactly("#1 one", "#1 DONE");
  }

  /**
   * An interrupted build stops its child the way Ctrl-C would (SIGINT), through the watchdog's
   * pipe; the stand-in for docker is a Python script that records the signal (a shell cannot:
   * background jobs start with SIGINT ignored, and sh may not trap a signal ignored on entry; the
   * docker CLI, like Python, installs its own handler).
   */
  @Test
  void anInterruptedBuildSendsTheChildSigint(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(BuildxProcess.watchdogAvailable());
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new java.io.File("/usr/bin/python3").canExecute(), "python3 plays docker here");
    Path mark = dir.resolve("signal");
    String script =
        "import signal, sys, time\n"
            + "def stop(*_):\n"
            + "    open(sys.argv[1], 'w').write('INT')\n"
            + "    sys.exit(130)\n"
            + "signal.signal(signal.SIGINT, stop)\n"
            + "print('#1 started', flush=True)\n"
            + "time.sleep(60)\n";
    CliBuildx buildx =
        new CliBuildx(
            cmd -> new ProcessBuilder("/usr/bin/python3", "-c", script, mark.toString()),
            Duration.ofSeconds(120),
            () -> LOCAL);
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                buildx.build(
                    new Buildx.Invocation(
                        BuildSpec.builder("greeter", CONTEXT).build(),
                        List.of("greeter:latest"),
                        List.of(),
                        List.of(),
                        META),
                    line -> started.countDown());
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    caller.start();
    assertThat(started.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    long start = System.nanoTime();
    caller.interrupt();
    caller.join(30_000);
    assertThat(thrown.get())
        .isInstanceOf(io.github.cachedimage.core.base.CachedImageException.class)
        .hasMessage("interrupted while waiting for docker buildx build");
    assertThat(java.nio.file.Files.readString(mark)).isEqualTo("INT");
    // stopped by the signal, not by the kill after the grace period
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(Duration.ofSeconds(BuildxProcess.GRACE_SECONDS));
  }

  @Test
  void theWatchdogPassesTheCommandAndItsExitCodeThrough() {
    assertThat(BuildxProcess.watched(List.of("docker", "buildx", "build", ".")))
        .containsExactly(
            "/bin/sh",
            "-c",
            BuildxProcess.WATCHDOG,
            "cached-image-buildx",
            "docker",
            "buildx",
            "build",
            ".");
  }

  @Test
  void versionParsing() {
    assertThat(BuildxVersion.fromCli("github.com/docker/buildx v0.21.0 abcdef"))
        .isEqualTo("0.21.0");
    assertThat(BuildxVersion.fromCli("github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4"))
        .isEqualTo("0.29.1");
    assertThat(BuildxVersion.tooOld("0.20.9")).isTrue();
    assertThat(BuildxVersion.tooOld("0.29.1")).isFalse();
    assertThat(BuildxVersion.tooOld("0.21.0")).isFalse();
  }

  @Test
  void aCacheExportThatPrintsNothingIsStoppedAndCountsAsAFailedExport() {
    org.junit.jupiter.api.Assumptions.assumeTrue(BuildxProcess.watchdogAvailable());
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new java.io.File("/usr/bin/python3").canExecute(), "python3 plays docker here");
    String script =
        "import signal, sys, time\n"
            + "signal.signal(signal.SIGINT, lambda *_: sys.exit(1))\n"
            + "print('#8 exporting to image', flush=True)\n"
            + "print('#8 DONE 0.1s', flush=True)\n"
            + "print('#9 exporting to GitHub Actions Cache', flush=True)\n"
            + "time.sleep(60)\n";
    CliBuildx buildx =
        new CliBuildx(
                cmd -> new ProcessBuilder("/usr/bin/python3", "-c", script),
                Duration.ofSeconds(120),
                () -> LOCAL)
            .withExportStall(Duration.ofSeconds(2));
    List<String> lines = new ArrayList<>();
    long start = System.nanoTime();
    int exit =
        buildx.build(
            new Buildx.Invocation(
                BuildSpec.builder("greeter", CONTEXT).build(),
                List.of("greeter:latest"),
                List.of(),
                List.of(),
                META),
            lines::add);
    assertThat(exit).isNotZero();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(lines)
        .containsSubsequence(
            "#9 exporting to GitHub Actions Cache",
            "#9 ERROR: cache export stalled: no progress for 2 s; stopped the build (the image was"
                + " loaded before)");
    BuildProgress progress = new BuildProgress();
    lines.forEach(progress::accept);
    assertThat(progress.failedStep()).isNull();
    assertThat(progress.exportErrors()).singleElement().asString().contains("stalled");
  }

  @Test
  void aSilentStepThatIsNoCacheExportIsLeftAlone() {
    CliBuildx buildx =
        new CliBuildx(
                cmd ->
                    new ProcessBuilder(
                        "sh", "-c", "echo '#5 [2/2] RUN sleep 3'; sleep 3; echo '#5 DONE 3.0s'"),
                Duration.ofSeconds(120),
                () -> LOCAL)
            .withExportStall(Duration.ofSeconds(1));
    List<String> lines = new ArrayList<>();
    int exit =
        buildx.build(
            new Buildx.Invocation(
                BuildSpec.builder("greeter", CONTEXT).build(),
                List.of("greeter:latest"),
                List.of(),
                List.of(),
                META),
            lines::add);
    assertThat(exit).isZero();
    assertThat(lines).containsExactly("#5 [2/2] RUN sleep 3", "#5 DONE 3.0s");
  }
}
