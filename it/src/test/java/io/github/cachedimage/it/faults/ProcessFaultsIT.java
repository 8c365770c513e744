package io.github.cachedimage.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.it.support.ChildBuild;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.Processes;
import io.github.cachedimage.it.support.SecondEngine;
import io.github.cachedimage.it.support.TestImages;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Process faults (issue 14) on a private engine this test may stop: the engine going away during a
 * build and between the build and the tests; the build's JVM killed (SIGKILL) or terminated
 * (SIGTERM) in the middle of a slow {@code RUN}; BuildKit's cache left with a record whose snapshot
 * is gone. The core runs as the mojo and the extension run it, with the real buildx.
 */
class ProcessFaultsIT {
  static Path work;
  static SecondEngine engine;
  static DockerEndpoint endpoint;
  static long started;

  final List<String> logged = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startEngine() throws Exception {
    assumeTrue(
        SecondEngine.dockerd().isPresent(),
        "needs the dockerd that scripts/docker-engine unpacks, to start an engine it may stop");
    started = System.nanoTime();
    TestImages.ensureBaseImages();
    work = Files.createTempDirectory("cached-image-faults-");
    engine = SecondEngine.start(work.resolve("engine"), null);
    engine.copyFromTestEngine(TestImages.BUSYBOX);
    endpoint = DockerEndpoint.of(engine.host(), "test");
  }

  @AfterAll
  static void stopEngine() throws IOException {
    if (engine != null) {
      engine.close();
    }
    if (work != null) {
      MavenSample.deleteTree(work);
    }
    System.out.printf(
        "FIGURE ProcessFaultsIT wall time: %d s%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
  }

  private CachedImages core() {
    return core(0, work.resolve("cache"));
  }

  /** The core against the private engine; builds get the secret {@code delay} (seconds). */
  private CachedImages core(int delaySeconds, Path cache) {
    return new CachedImages(
        log(),
        new UnixSocketImages(endpoint.unixSocket().orElseThrow()),
        new CliBuildx(
            command -> {
              ProcessBuilder pb = new ProcessBuilder(command);
              pb.environment().put(ChildBuild.DELAY, String.valueOf(delaySeconds));
              return pb;
            },
            Duration.ofMinutes(5),
            () -> endpoint),
        cache);
  }

  /** A {@code RUN} that prints {@code marker} and sleeps as long as the secret {@code delay}. */
  private static String slowRun(String marker) {
    return "FROM "
        + TestImages.BUSYBOX
        + "\nRUN --mount=type=secret,id=delay echo "
        + marker
        + " && sleep $(cat /run/secrets/delay) && echo > /done\n";
  }

  private BuildLog log() {
    return new BuildLog() {
      @Override
      public void info(String message) {
        logged.add("INFO " + message);
      }

      @Override
      public void warn(String message) {
        logged.add("WARN " + message);
      }

      @Override
      public void debug(String message) {}

      @Override
      public void progress(String line) {
        logged.add("PROGRESS " + line);
      }
    };
  }

  /** A context with this Dockerfile under {@code work/<name>}. */
  private static Path context(String name, String dockerfile) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    return dir;
  }

  private static BuildSpec spec(String image, Path context) {
    return BuildSpec.builder(image, context).build();
  }

  /** The record is whole and names an image the engine has under the recorded content tag. */
  private static BuildRecord validRecord(Path records, String image) {
    BuildRecord record = new RecordStore(records, image).record().orElseThrow();
    assertThat(engine.imageId(record.contentTag())).contains(record.imageId());
    return record;
  }

  /** Waits for a line that ends with {@code text} (a RUN's output, not its name). */
  private void awaitLogged(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (logged.stream().noneMatch(l -> l.endsWith(text))) {
      assertThat(System.nanoTime()).as("waiting for '%s'", text).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /**
   * The engine stops in the middle of a slow {@code RUN}: the build fails with an error that says
   * the engine went away, and writes no record. While it is down, the extension's check of an image
   * built before says it cannot reach the engine (and names it), leaving that record as it was.
   * Once the engine is back, the earlier image is up to date without a build, and the interrupted
   * one builds from scratch, with no help.
   */
  @Test
  void theEngineStoppingDuringABuildAndBeforeTheTests() throws Exception {
    Path records = work.resolve("stop-records");
    Path quick = context("stop-quick", "FROM " + TestImages.BUSYBOX + "\nRUN echo quick > /q\n");
    core().ensure(spec("cachedimage-it/processes-quick", quick), records);
    byte[] quickRecord =
        Files.readAllBytes(new RecordStore(records, "cachedimage-it/processes-quick").recordFile());

    Path slow = context("stop-slow", slowRun("engine-stop"));
    CompletableFuture<EnsureResult> build =
        CompletableFuture.supplyAsync(
            () ->
                core(30, work.resolve("cache"))
                    .ensure(ChildBuild.spec("cachedimage-it/processes-slow", slow), records));
    awaitLogged(" engine-stop", Duration.ofSeconds(60));
    Thread.sleep(1000);
    engine.stop();

    assertThatThrownBy(() -> build.get(60, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(DockerUnavailableException.class)
        .satisfies(e -> System.out.println("FIGURE engine stopped mid-build: " + e.getMessage()))
        .hasMessageStartingWith(
            "cachedimage-it/processes-slow: the Docker engine stopped answering during the build"
                + " (buildx: ")
        .hasMessageEndingWith(
            "; nothing was recorded. Start Docker ('docker info' must work) and build again.");
    assertThat(new RecordStore(records, "cachedimage-it/processes-slow").recordFile())
        .doesNotExist();

    // between the mojo and the tests: the extension's entry point
    assertThatThrownBy(
            () ->
                core()
                    .ensureRecorded(
                        "cachedimage-it/processes-quick",
                        records,
                        read -> {
                          throw new AssertionError("the record has the spec");
                        }))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageStartingWith("Cannot reach a Docker engine");
    assertThat(
            Files.readAllBytes(
                new RecordStore(records, "cachedimage-it/processes-quick").recordFile()))
        .isEqualTo(quickRecord);

    engine.restart();
    EnsureResult again =
        core()
            .ensureRecorded(
                "cachedimage-it/processes-quick",
                records,
                read -> {
                  throw new AssertionError("the record has the spec");
                });
    assertThat(again.built()).isFalse();
    EnsureResult recovered =
        core().ensure(ChildBuild.spec("cachedimage-it/processes-slow", slow), records);
    assertThat(recovered.built()).isTrue();
    assertThat(validRecord(records, "cachedimage-it/processes-slow").imageId())
        .isEqualTo(recovered.record().imageId());
  }

  /**
   * The build's JVM is killed two seconds into a slow {@code RUN}, by SIGKILL (no Java code runs)
   * and by SIGTERM (the shutdown hook runs): within seconds no {@code docker buildx build} of it is
   * left running, the killed run left no record, and the next run takes the lock at once (the OS
   * released the dead JVM's file lock) and builds.
   */
  @Test
  void aKilledBuildJvmLeavesNoBuildRunningAndTheNextRunBuilds() throws Exception {
    Path records = work.resolve("kill-records");
    Path cache = work.resolve("kill-cache");
    for (String signal : List.of("KILL", "TERM")) {
      String image = "cachedimage-it/processes-killed-" + signal.toLowerCase();
      Path context = context("kill-" + signal, slowRun("killed-" + signal));
      Process child = ChildBuild.start(engine.host(), image, context, records, cache, 30);
      List<String> childOutput = new CopyOnWriteArrayList<>();
      Thread reader = readInto(child, childOutput);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (childOutput.stream().noneMatch(l -> l.endsWith(" killed-" + signal))) {
        assertThat(child.isAlive()).as("child: %s", childOutput).isTrue();
        assertThat(System.nanoTime()).as("child: %s", childOutput).isLessThan(deadline);
        Thread.sleep(50);
      }
      Thread.sleep(signal.equals("KILL") ? 2000 : 500);
      assertThat(buildsOf(context)).as("the build runs").isNotEmpty();
      if (signal.equals("KILL")) {
        child.destroyForcibly();
      } else {
        child.destroy();
      }
      child.waitFor(30, TimeUnit.SECONDS);
      reader.join(5000);
      long killed = System.nanoTime();
      while (!buildsOf(context).isEmpty()) {
        assertThat(Duration.ofNanos(System.nanoTime() - killed))
            .as("buildx still running after SIGKILL of its JVM: %s", buildsOf(context))
            .isLessThan(Duration.ofSeconds(5));
        Thread.sleep(100);
      }
      System.out.printf(
          "FIGURE SIG%s: buildx gone %d ms after the JVM%n",
          signal, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
      assertThat(childOutput).noneMatch(l -> l.equals("DONE"));
      assertThat(new RecordStore(records, image).recordFile()).doesNotExist();

      logged.clear();
      EnsureResult rerun = core(0, cache).ensure(ChildBuild.spec(image, context), records);
      assertThat(rerun.built()).isTrue();
      assertThat(logged).noneMatch(l -> l.contains("waiting for another process"));
      assertThat(validRecord(records, image).imageId()).isEqualTo(rerun.record().imageId());
    }
  }

  /** Processes whose command line names this context: the build's docker CLI and buildx plugin. */
  private static List<String> buildsOf(Path context) {
    return ProcessHandle.allProcesses()
        .map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains("buildx") && c.contains(context.toString()))
        .toList();
  }

  private static Thread readInto(Process process, List<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process is gone
              }
            });
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  /**
   * BuildKit's cache holds a record whose mutable snapshot is gone, the state an interrupted
   * finalize leaves (made here as it happens: a step's result kept unexported, then its active
   * snapshot removed in containerd). A plain {@code docker buildx build} fails with {@code failed
   * to stat active key during commit}, every time; the core removes exactly that record, builds
   * again, warns once, and records a valid image. Plain builds work again afterwards.
   */
  @Test
  void aBrokenCacheRecordIsRemovedAndTheBuildSucceeds() throws Exception {
    Path context =
        context("broken", "FROM " + TestImages.BUSYBOX + "\nRUN echo broken-record > /b\n");
    engine
        .docker(
            "buildx", "build", "--progress=plain", "--output", "type=cacheonly", context.toString())
        .requireSuccess();
    String snapshot = mutableSnapshotOf("echo broken-record");
    engine.ctr("snapshots", "--snapshotter", "overlayfs", "rm", snapshot).requireSuccess();
    Processes.Result plain =
        engine.docker(
            "buildx",
            "build",
            "--progress=plain",
            "--load",
            "-t",
            "broken:plain",
            context.toString());
    assertThat(plain.exitCode()).isNotZero();
    assertThat(plain.output())
        .contains(
            "failed to stat active key during commit: snapshot "
                + snapshot
                + " does not exist: not found");

    Path records = work.resolve("broken-records");
    EnsureResult built = core().ensure(spec("cachedimage-it/processes-broken", context), records);
    assertThat(built.built()).isTrue();
    assertThat(logged.stream().filter(l -> l.startsWith("WARN ")))
        .containsExactly(
            "WARN cachedimage-it/processes-broken: BuildKit's build cache held a record whose"
                + " snapshot is gone (snapshot "
                + snapshot
                + " does not exist; left by a build stopped while it committed a layer, e.g. a"
                + " killed build). Removed it (docker buildx prune --all --force --filter id="
                + snapshot
                + ") and built again.");
    assertThat(validRecord(records, "cachedimage-it/processes-broken").imageId())
        .isEqualTo(built.record().imageId());
    engine
        .docker(
            "buildx",
            "build",
            "--progress=plain",
            "--load",
            "-t",
            "broken:plain",
            context.toString())
        .requireSuccess();
  }

  /** The ID of the cache record (= its snapshot key) of the step whose command contains this. */
  private static String mutableSnapshotOf(String command) {
    String id = null;
    boolean mutable = false;
    String du = engine.docker("buildx", "du", "--verbose").requireSuccess().output();
    for (String line : du.lines().toList()) {
      if (line.startsWith("ID:")) {
        id = line.substring(3).strip();
      } else if (line.startsWith("Mutable:")) {
        mutable = line.contains("true");
      } else if (line.startsWith("Description:") && line.contains(command) && mutable) {
        return id;
      }
    }
    throw new AssertionError("no cache record of " + command);
  }
}
