package io.github.cachedimage.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.Processes;
import io.github.cachedimage.it.support.RecordingLog;
import io.github.cachedimage.it.support.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * Record and default-cache directories that take no writes, through the core with the real engine.
 * CI runs as root, which ignores permission bits: "unwritable" is a read-only bind mount, "full" a
 * small tmpfs filled to the last byte. Every mount is undone after the test.
 */
class DiskFaultsIT {
  private static final String PREFIX = "cachedimage-it/faults-disk-";
  private static final List<String> images = Collections.synchronizedList(new ArrayList<>());
  private static DockerJavaImages engine;

  @TempDir Path work;
  private final List<Path> mounts = new ArrayList<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void engine() {
    TestImages.ensureBaseImages();
    engine = new DockerJavaImages(DockerClientFactory.instance().client(), "testcontainers");
  }

  @AfterEach
  void unmount() {
    for (int i = mounts.size() - 1; i >= 0; i--) {
      Processes.run(List.of("umount", mounts.get(i).toString()), Duration.ofSeconds(30))
          .requireSuccess();
    }
  }

  @AfterAll
  static void removeImages() {
    images.forEach(Docker::removeRepository);
  }

  @Test
  void aReadOnlyRecordDirectoryStillAnswersUpToDateAndFailsBeforeBuildingWithItsPath()
      throws Exception {
    Path records = work.resolve("records");
    BuildSpec spec = spec("readonly");
    images(work.resolve("cache")).ensure(spec, records);
    Path recordFile = new RecordStore(records, spec.image()).recordFile();
    byte[] before = Files.readAllBytes(recordFile);
    readOnly(records);

    log.clear();
    EnsureResult fresh = images(work.resolve("cache")).ensure(spec, records);
    assertThat(fresh.built()).isFalse();

    Files.writeString(spec.contextDirectory().resolve("input.txt"), "changed\n");
    log.clear();
    assertThatThrownBy(() -> images(work.resolve("cache")).ensure(spec, records))
        .isInstanceOf(CachedImageException.class)
        .hasMessageContaining("cannot write the build record in " + records)
        .hasMessageContaining("Read-only file system")
        .hasMessageContaining("Make that directory writable")
        .hasMessageContaining("previous record, if any, is unchanged");
    assertThat(log).as("no build ran").noneMatch(l -> l.startsWith("PROGRESS "));
    assertThat(Files.readAllBytes(recordFile)).isEqualTo(before);
  }

  @Test
  void aFullDiskFailsTheRecordWithItsPathKeepsThePreviousAndWarnsOnceForTheCache()
      throws Exception {
    Path disk = work.resolve("disk");
    tmpfs(disk, "16m");
    Path records = disk.resolve("records");
    Path cacheRoot = disk.resolve("cache");
    BuildSpec spec = spec("full");
    images(cacheRoot).ensure(spec, records);
    Path recordFile = new RecordStore(records, spec.image()).recordFile();
    byte[] before = Files.readAllBytes(recordFile);
    byte[] indexBefore = Files.readAllBytes(new RecordStore(records, spec.image()).indexFile());
    fill(disk);

    Files.writeString(spec.contextDirectory().resolve("input.txt"), "changed\n");
    log.clear();
    assertThatThrownBy(() -> images(cacheRoot).ensure(spec, records))
        .isInstanceOf(CachedImageException.class)
        .hasMessageContaining(records.toString())
        .hasMessageContaining("No space left on device")
        .hasMessageContaining("free space on its disk");
    // the default cache's export hit the full disk first: one warning, and the build went on
    assertThat(log.stream().filter(l -> l.startsWith("WARN ")))
        .as("log:\n%s", String.join("\n", log))
        .singleElement()
        .asString()
        .contains("cache export to type=local,dest=" + cacheRoot)
        .contains("no space left on device")
        .contains("-Dcachedimage.cacheDirectory");
    assertThat(Files.readAllBytes(recordFile)).isEqualTo(before);
    assertThat(Files.readAllBytes(new RecordStore(records, spec.image()).indexFile()))
        .isEqualTo(indexBefore);
    try (var left = Files.list(records)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("nothing half-written")
          .allMatch(n -> !n.startsWith(".write-") && !n.startsWith(".metadata-"));
    }
  }

  @Test
  void aReadOnlyDefaultCacheDirectoryCostsOneWarningNotTheBuild() throws Exception {
    Path cacheRoot = work.resolve("readonly-cache");
    Files.createDirectories(cacheRoot);
    readOnly(cacheRoot);
    BuildSpec spec = spec("readonly-cache");

    EnsureResult result = images(cacheRoot).ensure(spec, work.resolve("records"));

    assertThat(result.built()).isTrue();
    assertThat(log.stream().filter(l -> l.startsWith("WARN ")))
        .as("log:\n%s", String.join("\n", log))
        .singleElement()
        .asString()
        .contains("default local cache not exported: cannot write " + cacheRoot)
        .contains("Read-only file system")
        .contains("-Dcachedimage.cacheDirectory");
    assertThat(engine.findImage(result.record().contentTag())).contains(result.imageId());
  }

  // --- helpers -------------------------------------------------------------------------------

  private void readOnly(Path dir) {
    mount("--bind", dir.toString(), dir.toString());
    mounts.add(dir);
    mount("-o", "remount,ro,bind", dir.toString());
  }

  private void tmpfs(Path dir, String size) throws IOException {
    Files.createDirectories(dir);
    mount("-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    mounts.add(dir);
  }

  private static void mount(String... args) {
    List<String> command = new ArrayList<>(List.of("mount"));
    command.addAll(List.of(args));
    Processes.Result r = Processes.run(command, Duration.ofSeconds(30));
    Assumptions.assumeTrue(
        r.exitCode() == 0,
        "mount is not permitted here (needs root or CAP_SYS_ADMIN): " + r.output().strip());
  }

  /** Writes a file until the file system has no byte left. */
  private static void fill(Path disk) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(disk.resolve("filler"))) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left on device");
    }
    try (OutputStream out = Files.newOutputStream(disk.resolve("filler-tail"))) {
      for (int i = 0; i < 64 * 1024; i++) {
        out.write(0);
        out.flush();
      }
    } catch (IOException full) {
      // the last bytes
    }
  }

  private CachedImages images(Path defaultCacheRoot) {
    BuildLog to = new RecordingLog(log);
    return new CachedImages(
        to, engine, new CliBuildx(DockerEndpoints::fromEnvironment), defaultCacheRoot);
  }

  /** A small image with the default local cache (no cacheFrom/cacheTo). */
  private BuildSpec spec(String name) throws IOException {
    String image = PREFIX + name;
    images.add(image);
    Path context = work.resolve("ctx-" + name);
    Files.createDirectories(context);
    Files.writeString(context.resolve("input.txt"), UUID.randomUUID() + "\n");
    Files.writeString(
        context.resolve("Dockerfile"),
        String.join(
            "\n", "FROM " + TestImages.BUSYBOX, "COPY input.txt /input.txt", "RUN true", ""));
    return BuildSpec.builder(image, context).build();
  }
}
