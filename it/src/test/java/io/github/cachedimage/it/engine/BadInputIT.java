package io.github.cachedimage.it.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.cachedimage.core.BuildFailedException;
import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.BuildxUnsupportedException;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.ItPaths;
import io.github.cachedimage.it.support.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bad inputs only the real buildx can judge, through the core against the real engine (no Maven
 * run): Dockerfiles BuildKit rejects, a misspelt stage in {@code COPY --from}, a builder that does
 * not exist, an unreachable cache registry. Each failure is one {@link CachedImageException} with
 * BuildKit's words and the input, and leaves the record of the last good build byte for byte.
 */
class BadInputIT {
  static final String IMAGE = "cachedimage-it/badinput";
  static Path work;
  static Path records;
  static CachedImages images;
  static final List<String> logged = new CopyOnWriteArrayList<>();
  static byte[] goodRecord;

  static final String UNREACHABLE_CACHE = "127.0.0.1:1/cachedimage-it/badinput:cache";
  static List<String> goodBuildLog;
  static EnsureResult good;

  /** The one real build: with a cache registry nobody listens on, so it also shows that case. */
  @BeforeAll
  static void buildOnce() throws IOException {
    TestImages.ensureBaseImages();
    work =
        Files.createDirectories(
            ItPaths.work().resolve("badinput-" + ProcessHandle.current().pid()));
    records = work.resolve("records");
    Files.writeString(
        work.resolve("Dockerfile"),
        "FROM " + TestImages.BUSYBOX + " AS build\nRUN echo " + work + " > /built\n");
    DockerEndpoint endpoint = DockerEndpoints.fromEnvironment();
    images =
        CachedImages.create(
            log(), UnixSocketImages.forEndpoint(endpoint).orElseThrow(), () -> endpoint);
    good =
        images.ensure(
            BuildSpec.builder(IMAGE, work)
                .cacheFrom(CacheSpec.parseImport("type=registry,ref=" + UNREACHABLE_CACHE))
                .cacheTo(CacheSpec.parseExport("type=registry,ref=" + UNREACHABLE_CACHE))
                .build(),
            records);
    goodBuildLog = List.copyOf(logged);
    goodRecord = Files.readAllBytes(new RecordStore(records, IMAGE).recordFile());
  }

  @AfterAll
  static void removeImages() {
    Docker.removeRepository(IMAGE);
  }

  @BeforeEach
  void clearLog() {
    logged.clear();
  }

  static BuildSpec.Builder spec() {
    // no default local cache: nothing of ~/.cache, and the failures stay quick
    return BuildSpec.builder(IMAGE, work).cacheTo(CacheSpec.parseExport("type=inline"));
  }

  /** Builds with this Dockerfile; returns the failure, after checking the record is intact. */
  static Throwable failWith(String dockerfile, BuildSpec.Builder spec) throws IOException {
    Path file = work.resolve("bad-" + Integer.toHexString(dockerfile.hashCode()) + ".Dockerfile");
    Files.writeString(file, dockerfile);
    Throwable thrown = catchThrowable(() -> images.ensure(spec.dockerfile(file).build(), records));
    assertThat(Files.readAllBytes(new RecordStore(records, IMAGE).recordFile()))
        .isEqualTo(goodRecord);
    return thrown;
  }

  @Test
  void aDockerfileSyntaxErrorIsBuildKitsMessageWithTheLine() throws IOException {
    Throwable thrown = failWith("FORM " + TestImages.BUSYBOX + "\nRUN true\n", spec());
    assertThat(thrown)
        .isInstanceOf(BuildFailedException.class)
        .hasMessageStartingWith(
            IMAGE
                + ": docker buildx build failed: failed to build: failed to solve: dockerfile"
                + " parse error on line 1: unknown instruction: FORM (did you mean FROM?)");
  }

  @Test
  void anEmptyDockerfileSaysSo() throws IOException {
    assertThat(failWith("", spec()))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("failed to solve: the Dockerfile cannot be empty");
  }

  @Test
  void aMisspeltStageInCopyFromGetsAHint() throws IOException {
    Throwable thrown =
        failWith(
            "FROM "
                + TestImages.BUSYBOX
                + " AS build\nRUN true\nFROM build\nCOPY --from=biuld /x /x\n",
            spec());
    assertThat(thrown)
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("docker.io/library/biuld:latest")
        .hasMessageContaining("hint: COPY --from=biuld names no stage of " + work.resolve("bad-"))
        .hasMessageContaining(
            " (its stages are build), so BuildKit looked for an image docker.io/library/biuld;"
                + " if you meant a stage, fix the name");
  }

  @Test
  void aBuilderThatDoesNotExistIsNamed() throws IOException {
    Throwable thrown =
        failWith("FROM " + TestImages.BUSYBOX + "\n", spec().builderName("no-such-builder"));
    assertThat(thrown)
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessage(
            "buildx builder 'no-such-builder' is not usable (ERROR: no builder \"no-such-builder\""
                + " found). Check 'docker buildx ls', or set <builder> to an existing builder.");
  }

  @Test
  void anUnreachableCacheRegistryIsAWarningAndTheBuildGoesOn() {
    assertThat(good.built()).isTrue();
    // one warning for the cache, both directions in it
    assertThat(goodBuildLog)
        .filteredOn(l -> l.startsWith("WARN "))
        .singleElement()
        .asString()
        .startsWith(
            "WARN "
                + IMAGE
                + ": cache type=registry,ref="
                + UNREACHABLE_CACHE
                + " failed: import: ")
        .contains("connection refused; export: ")
        .endsWith("; built without it, the cache was not updated");
    assertThat(good.record().cacheSummary().from()).isEmpty();
    assertThat(new RecordStore(records, IMAGE).record()).contains(good.record());
    assertThat(Docker.imageId(good.record().contentTag())).contains(good.imageId());
  }

  static BuildLog log() {
    return new BuildLog() {
      public void info(String m) {
        logged.add("INFO " + m);
      }

      public void warn(String m) {
        logged.add("WARN " + m);
      }

      public void debug(String m) {}

      public void progress(String line) {}
    };
  }
}
