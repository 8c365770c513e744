package io.github.cachedimage.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.engine.ImageTag;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.KeepContentTags;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * Housekeeping against the real engine through the core: superseded content tags pruned after a
 * build (by both engine seams), the first build's cache miss said once as INFO, a lost cache as a
 * warning, and a secret-looking build arg warned of. Small COPY-only builds on busybox.
 */
class HousekeepingIT {
  static final String NONCE = UUID.randomUUID().toString().substring(0, 8);
  static final String PRUNED = "cachedimage-it/housekeeping-prune-" + NONCE;
  static final String NOISE = "cachedimage-it/housekeeping-noise-" + NONCE;
  static final String OTHER = "cachedimage-it/housekeeping-other-" + NONCE + ":b";
  static final String CONTAINER = "cachedimage-it-housekeeping-" + NONCE;

  static UnixSocketImages unix;
  static DockerJavaImages dockerJava;

  @TempDir Path work;
  final List<String> lines = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void engines() {
    TestImages.ensureBaseImages();
    unix = UnixSocketImages.forEndpoint(DockerEndpoints.fromEnvironment()).orElseThrow();
    dockerJava = new DockerJavaImages(DockerClientFactory.instance().client(), "testcontainers");
  }

  @AfterAll
  static void cleanUp() {
    Docker.docker("rm", "-f", CONTAINER);
    Docker.removeImages(OTHER);
    Docker.removeRepository(PRUNED);
    Docker.removeRepository(NOISE);
  }

  @BeforeEach
  void context() throws IOException {
    Files.writeString(
        work.resolve("Dockerfile"), "FROM " + TestImages.BUSYBOX + "\nCOPY input.txt /input.txt\n");
  }

  @Test
  void supersededContentTagsGoButNotOneAContainerUsesNorAnImageTaggedOtherwise()
      throws IOException {
    CachedImages keepAll = core(unix).withKeepContentTags(KeepContentTags.ALL);
    String a = build(keepAll, PRUNED, "a");
    String b = build(keepAll, PRUNED, "b");
    String c = build(keepAll, PRUNED, "c");
    assertThat(lines).noneMatch(l -> l.contains("superseded"));
    assertThat(refs(unix.tags(PRUNED, "fp-*"))).containsExactlyInAnyOrder(a, b, c);
    assertThat(refs(dockerJava.tags(PRUNED, "fp-*"))).containsExactlyInAnyOrder(a, b, c);

    String idA = Docker.imageId(a).orElseThrow();
    String idB = Docker.imageId(b).orElseThrow();
    String idC = Docker.imageId(c).orElseThrow();
    Docker.docker("create", "--name", CONTAINER, a, "true")
        .requireSuccess(); // stopped, never started
    Docker.docker("tag", b, OTHER).requireSuccess();
    assertThat(unix.containerImageIds()).contains(idA);
    assertThat(dockerJava.containerImageIds()).contains(idA);

    // through docker-java: keep 1 (the new one); a stays for its container, b's image for OTHER
    lines.clear();
    String d = build(core(dockerJava).withKeepContentTags(new KeepContentTags(1)), PRUNED, "d");
    assertThat(refs(unix.tags(PRUNED, "fp-*"))).containsExactlyInAnyOrder(a, d);
    assertThat(lines)
        .contains(
            "INFO "
                + PRUNED
                + ": removed 2 superseded content tags ("
                + c
                + ", "
                + b
                + "); keepContentTags=1")
        .contains(
            "DEBUG "
                + PRUNED
                + ": kept "
                + a
                + " (a container uses image "
                + idA.substring(0, "sha256:".length() + 12)
                + ")");
    assertThat(Docker.imageId(OTHER)).contains(idB); // untagged, not deleted
    assertThat(Docker.imageId(idC)).isEmpty(); // its only tag went, so did it
    assertThat(Docker.imageId(PRUNED + ":latest")).isEqualTo(Docker.imageId(d));

    // through the socket client: d goes too; a still stays
    lines.clear();
    String e = build(core(unix).withKeepContentTags(new KeepContentTags(1)), PRUNED, "e");
    assertThat(refs(unix.tags(PRUNED, "fp-*"))).containsExactlyInAnyOrder(a, e);
    assertThat(lines)
        .contains(
            "INFO " + PRUNED + ": removed 1 superseded content tag (" + d + "); keepContentTags=1");
    unix.untag(d); // already gone: no error
  }

  @Test
  void aFirstBuildsCacheMissIsOneInfoLineALostCacheAWarningAndASecretLookingArgIsNamed()
      throws IOException {
    Path cache = work.resolve("cache");
    String planted = "planted-" + UUID.randomUUID();
    BuildSpec spec =
        BuildSpec.builder(NOISE, work)
            .cacheFrom(CacheSpec.parseImport("type=local,src=" + cache))
            .cacheTo(CacheSpec.parseExport("type=local,dest=" + cache + ",mode=max"))
            .buildArg("API_TOKEN", planted)
            .build();
    Files.writeString(work.resolve("input.txt"), NONCE + " one\n");
    core(unix).ensure(spec, work.resolve(RecordStore.DEFAULT_DIRECTORY));

    assertThat(lines.stream().filter(l -> l.contains("not found") && !l.startsWith("DEBUG ")))
        .isEmpty();
    assertThat(lines.stream().filter(l -> l.contains("has nothing to import yet")))
        .containsExactly(
            "INFO "
                + NOISE
                + ": cache type=local,src="
                + cache
                + " has nothing to import yet (no build exported to it); building without it");
    assertThat(lines.stream().filter(l -> l.startsWith("WARN ")))
        .singleElement()
        .asString()
        .startsWith("WARN " + NOISE + ": build arg API_TOKEN looks like a secret")
        .contains("<secrets><secret>id=api_token,env=API_TOKEN</secret></secrets>")
        .doesNotContain(planted);
    assertThat(cache.resolve("index.json")).exists();

    // the cache the record says was exported to is gone: that is worth a warning
    lines.clear();
    deleteTree(cache);
    Files.writeString(work.resolve("input.txt"), NONCE + " two\n");
    core(unix).ensure(spec, work.resolve(RecordStore.DEFAULT_DIRECTORY));
    assertThat(lines.stream().filter(l -> l.startsWith("WARN ") && l.contains("cache import")))
        .singleElement()
        .asString()
        .startsWith("WARN " + NOISE + ": local cache import at " + cache + " not found")
        .endsWith(
            "; the previous build exported to cache type=local,src="
                + cache
                + " but it has nothing to import now (evicted, deleted, or another cache-to"
                + " ref?)");
  }

  private CachedImages core(DockerImages images) {
    return new CachedImages(
        log(), images, new CliBuildx(DockerEndpoints::fromEnvironment), work.resolve("default"));
  }

  /** Builds the context with this input; the content tag. */
  private String build(CachedImages core, String image, String input) throws IOException {
    Files.writeString(work.resolve("input.txt"), NONCE + " " + input + "\n");
    return core.ensure(
            BuildSpec.builder(image, work).build(), work.resolve(RecordStore.DEFAULT_DIRECTORY))
        .contentTag();
  }

  private static List<String> refs(List<ImageTag> tags) {
    return tags.stream().map(ImageTag::reference).toList();
  }

  private static void deleteTree(Path path) throws IOException {
    if (Files.exists(path)) {
      try (var walk = Files.walk(path)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private BuildLog log() {
    return new RecordingLog(lines);
  }
}
