package io.github.cachedimage.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.Freshness;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.RecordingLog;
import io.github.cachedimage.it.support.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * The recorded image changed behind the record's back (between the mojo and the tests), and a
 * record restored into another checkout path, through the core with the real engine: what the
 * plugin and the JUnit extension both call.
 */
class RecordedImageIT {
  private static final String PREFIX = "cachedimage-it/faults-recorded-";
  private static final List<String> images = Collections.synchronizedList(new ArrayList<>());
  private static DockerJavaImages engine;

  @TempDir Path work;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void engine() {
    TestImages.ensureBaseImages();
    engine = new DockerJavaImages(DockerClientFactory.instance().client(), "testcontainers");
  }

  @AfterAll
  static void removeImages() {
    images.forEach(Docker::removeRepository);
  }

  @Test
  void tagsMovedToAnotherImageAreNotTrustedAndADeletedImageIsRebuilt() throws Exception {
    Path project = work.resolve("project");
    BuildSpec spec = spec("moved", project);
    Path records = project.resolve(RecordStore.DEFAULT_DIRECTORY);
    EnsureResult first = images().ensure(spec, records);
    String busybox = engine.findImage(TestImages.BUSYBOX).orElseThrow();

    // someone tags another image with the recorded tags
    Docker.docker("tag", TestImages.BUSYBOX, first.contentTag()).requireSuccess();
    Docker.docker("tag", TestImages.BUSYBOX, spec.image() + ":latest").requireSuccess();
    EnsureResult moved = images().ensure(spec, records);
    assertThat(moved.built()).isFalse();
    assertThat(moved.imageId()).isEqualTo(first.imageId()).isNotEqualTo(busybox);
    // not verified: a caller that runs the content tag must re-tag it first (the extension does)
    assertThat(moved.contentTagVerified()).isFalse();

    // ...and the recorded image is deleted: rebuilt, and the content tag names the new one
    Docker.docker("image", "rm", "-f", first.imageId()).requireSuccess();
    log.clear();
    EnsureResult rebuilt = images().ensure(spec, records);
    assertThat(rebuilt.built()).isTrue();
    assertThat(rebuilt.before().status()).isEqualTo(Freshness.Status.IMAGE_GONE);
    assertThat(log).anyMatch(l -> l.contains("building (image " + shortId(first.imageId())));
    assertThat(engine.findImage(rebuilt.contentTag())).contains(rebuilt.imageId());
    assertThat(rebuilt.imageId()).isNotEqualTo(busybox);
    assertThat(new RecordStore(records, spec.image()).record().orElseThrow().imageId())
        .isEqualTo(rebuilt.imageId());
  }

  @Test
  void aRecordRestoredIntoAnotherCheckoutPathIsUsedWhenItsInputsMatchElseRebuiltWithTheReason()
      throws Exception {
    Path original = work.resolve("workspace-1/project");
    BuildSpec spec = spec("moved-checkout", original);
    EnsureResult first = images().ensure(spec, original.resolve(RecordStore.DEFAULT_DIRECTORY));

    // another CI workspace: the project with its target/cached-image copied, new mtimes
    Path elsewhere = work.resolve("workspace-2/checkout/project");
    copy(original, elsewhere);
    BuildSpec there =
        BuildSpec.builder(spec.image(), elsewhere.resolve("ctx"))
            .dockerfile(elsewhere.resolve("ctx/Dockerfile"))
            .build();
    Path records = elsewhere.resolve(RecordStore.DEFAULT_DIRECTORY);
    log.clear();
    EnsureResult same = images().ensure(there, records);
    assertThat(same.built()).as("log:\n%s", String.join("\n", log)).isFalse();
    assertThat(same.imageId()).isEqualTo(first.imageId());

    Files.writeString(elsewhere.resolve("ctx/input.txt"), "changed\n");
    log.clear();
    EnsureResult changed = images().ensure(there, records);
    assertThat(changed.built()).isTrue();
    assertThat(changed.before().status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    assertThat(log).anyMatch(l -> l.contains("building (inputs changed: input.txt"));
  }

  private static String shortId(String id) {
    return id.substring(0, "sha256:".length() + 12);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().endsWith(".lock")) {
          Files.copy(p, target); // no attributes: a restored cache has new mtimes
        }
      }
    }
  }

  private CachedImages images() {
    BuildLog to = new RecordingLog(log);
    return new CachedImages(
        to, engine, new CliBuildx(DockerEndpoints::fromEnvironment), work.resolve("cache"));
  }

  private BuildSpec spec(String name, Path project) throws IOException {
    String image = PREFIX + name;
    images.add(image);
    Path context = project.resolve("ctx");
    Files.createDirectories(context);
    Files.writeString(context.resolve("input.txt"), UUID.randomUUID() + "\n");
    Files.writeString(
        context.resolve("Dockerfile"),
        String.join(
            "\n", "FROM " + TestImages.BUSYBOX, "COPY input.txt /input.txt", "RUN true", ""));
    return BuildSpec.builder(image, context).dockerfile(context.resolve("Dockerfile")).build();
  }
}
