package io.github.cachedimage.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the extension's fast path costs: engine questions and record reads, counted. */
class ImageEnsurerTest {
  @TempDir Path context;

  @Test
  void aFreshImageCostsOneEngineQuestionAndNoJson() throws IOException {
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
    Files.writeString(context.resolve("a.txt"), "a");
    for (Path p : List.of(context.resolve("Dockerfile"), context.resolve("a.txt"))) {
      Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
    }
    Path records = Files.createDirectories(context.resolve(RecordStore.DEFAULT_DIRECTORY));
    BuildSpec spec = BuildSpec.builder("counted", context).build();
    Fingerprinter.Result fp = Fingerprinter.fingerprint(spec, Map.of(), List.of(records));
    String id = "sha256:" + "c".repeat(64);
    String tag = "counted:fp-" + fp.fingerprint().substring(0, 12);
    BuildRecord record =
        new BuildRecord(
            "counted",
            spec,
            fp.fingerprint(),
            id,
            null,
            List.of(tag, "counted:latest"),
            tag,
            Instant.now(),
            1000,
            new BuildRecord.CacheSummary(1, 1, List.of()),
            fp.files(),
            Map.of(),
            BuildRecord.FORMAT_VERSION);
    RecordStore store = new RecordStore(records, "counted");
    assertThat(store.write(record, fp)).isTrue();
    // Unparseable from here on, with the stat its index names: reading it would mean a build.
    Path json = store.recordFile();
    FileTime mtime = Files.getLastModifiedTime(json);
    byte[] garbled = new byte[(int) Files.size(json)];
    Arrays.fill(garbled, (byte) 'x');
    Files.write(json, garbled);
    Files.setLastModifiedTime(json, mtime);

    CountingDocker docker = new CountingDocker(Map.of(tag, id, id, id));
    EnsuredImage image =
        new ImageEnsurer(docker, BuildLog.silent())
            .ensure(ImageRequest.of("counted", new Locations(context, records), "", "", Map.of()));

    assertThat(image.built()).isFalse();
    assertThat(image.imageId()).isEqualTo(id);
    assertThat(image.reference()).isEqualTo(tag);
    assertThat(image.summary()).startsWith("counted: up to date (sha256:cccccccccccc, ");
    assertThat(docker.asked).containsExactly(tag);
    assertThat(docker.tagged).isEmpty();
  }

  /** An engine with these references; counts the questions. */
  static final class CountingDocker implements DockerAccess, DockerImages {
    final Map<String, String> references;
    final List<String> asked = new CopyOnWriteArrayList<>();
    final List<String> tagged = new CopyOnWriteArrayList<>();

    CountingDocker(Map<String, String> references) {
      this.references = references;
    }

    @Override
    public boolean isReachable() {
      return true;
    }

    @Override
    public String unreachableReason() {
      return "";
    }

    @Override
    public DockerImages images() {
      return this;
    }

    @Override
    public Optional<String> findImage(String imageIdOrRef) {
      asked.add(imageIdOrRef);
      return Optional.ofNullable(references.get(imageIdOrRef));
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
      tagged.add(repository + ":" + tag);
    }
  }
}
