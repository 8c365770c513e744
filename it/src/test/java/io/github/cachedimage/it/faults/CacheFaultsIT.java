package io.github.cachedimage.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.FaultyRegistryProxy;
import io.github.cachedimage.it.support.LocalRegistry;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * Cache backends failing under a build, through the core with the real buildx CLI and engine: the
 * build succeeds without that cache, exactly one warning names the cache and why, and the record
 * names the image the engine has under the content tag and claims no import that failed.
 *
 * <p>"Evicted" caches keep their index but lose their layer blobs. For BuildKit to need them, the
 * image is removed and its own build cache pruned by a filter on the RUN step's unique nonce: only
 * this test's records go.
 */
class CacheFaultsIT {
  private static final String PREFIX = "cachedimage-it/faults-cache-";

  @TempDir static Path shared;
  private static LocalRegistry registry;
  private static final List<String> images = Collections.synchronizedList(new ArrayList<>());
  private static DockerJavaImages engine;

  @TempDir Path work;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    TestImages.ensureBaseImages();
    registry = LocalRegistry.start(shared.resolve("registry"));
    engine = new DockerJavaImages(DockerClientFactory.instance().client(), "testcontainers");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    for (String image : images) {
      Docker.removeRepository(image);
    }
  }

  @Test
  void aRegistryStoppedBeforeTheBuildCostsOneWarning() throws Exception {
    String address;
    try (java.net.ServerSocket closed =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      address = "127.0.0.1:" + closed.getLocalPort(); // nothing listens there any more
    }
    String cache = "type=registry,ref=" + address + "/stopped:cache";
    BuildSpec spec = spec("stopped", cache, cache + ",mode=max");

    EnsureResult result = images().ensure(spec, work);

    assertBuiltWithOneWarning(result, address + "/stopped:cache", "connection refused");
    assertThat(result.record().cacheSummary().from()).isEmpty();
  }

  @Test
  void aRegistryAnswering500CostsOneWarning() throws Exception {
    try (FaultyRegistryProxy proxy = FaultyRegistryProxy.start(registry.address())) {
      proxy.fail500();
      String cache = "type=registry,ref=" + proxy.address() + "/failing:cache";
      BuildSpec spec = spec("failing", cache, cache + ",mode=max");

      EnsureResult result = images().ensure(spec, work);

      assertBuiltWithOneWarning(result, proxy.address() + "/failing:cache", "500");
      assertThat(proxy.failedRequests()).isGreaterThan(1);
      assertThat(result.record().cacheSummary().from()).isEmpty();
    }
  }

  @Test
  void aRegistryCacheWhoseBlobsWereEvictedIsBuiltWithoutAndRepaired() throws Exception {
    String ref = registry.address() + "/evicted:cache";
    String cache = "type=registry,ref=" + ref;
    BuildSpec spec = spec("evicted", cache, cache + ",mode=max");
    images().ensure(spec, work);
    int deleted = deleteRegistryLayerBlobs("evicted");
    assertThat(deleted).isGreaterThan(0);
    forgetLocally(spec);
    log.clear();

    EnsureResult result = images().ensure(spec, work);

    assertBuiltWithOneWarning(result, ref, "not found");
    assertThat(result.record().cacheSummary().from()).isEmpty();
    // the export of the build without it wrote the cache anew: a fresh runner imports it
    forgetLocally(spec);
    log.clear();
    EnsureResult again = images().ensure(spec, work);
    assertThat(warnings()).isEmpty();
    assertThat(again.record().cacheSummary().cached()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aLocalCacheWhoseBlobsWereDeletedIsSkippedWithOneWarning() throws Exception {
    Path dir = work.resolve("local-cache");
    BuildSpec spec = spec("local", "type=local,src=" + dir, "type=local,mode=max,dest=" + dir);
    images().ensure(spec, work);
    int deleted = deleteLocalLayerBlobs(dir);
    assertThat(deleted).isGreaterThan(0);
    forgetLocally(spec);
    log.clear();

    EnsureResult result = images().ensure(spec, work);

    assertBuiltWithOneWarning(result, "type=local", "missing");
    assertThat(warnings().get(0)).contains(dir.toString());
    assertThat(result.record().cacheSummary().from()).isEmpty();
  }

  // --- helpers -------------------------------------------------------------------------------

  private void assertBuiltWithOneWarning(EnsureResult result, String cache, String why)
      throws IOException {
    assertThat(result.built()).isTrue();
    assertThat(warnings())
        .as("log:\n%s", String.join("\n", log))
        .singleElement()
        .asString()
        .contains(cache)
        .contains(why);
    BuildRecord record = new RecordStore(work, result.image()).record().orElseThrow();
    assertThat(record.imageId()).isEqualTo(result.imageId());
    assertThat(engine.findImage(record.contentTag())).contains(record.imageId());
  }

  private List<String> warnings() {
    return log.stream().filter(l -> l.startsWith("WARN ")).toList();
  }

  /** A fresh runner for this image: no image, none of its own build cache. */
  private static void forgetLocally(BuildSpec spec) throws IOException {
    Docker.removeRepository(spec.image());
    String nonce = Files.readString(spec.contextDirectory().resolve("nonce.txt")).strip();
    Docker.docker("builder", "prune", "-f", "--filter", "description~=" + nonce).requireSuccess();
  }

  /** Deletes every blob the registry stores for the repository but its manifests and configs. */
  private static int deleteRegistryLayerBlobs(String repository) throws IOException {
    Path v2 = shared.resolve("registry/data/docker/registry/v2");
    Path layers = v2.resolve("repositories/" + repository + "/_layers/sha256");
    int n = 0;
    try (Stream<Path> linked = Files.list(layers)) {
      for (Path link : linked.toList()) {
        String hex = link.getFileName().toString();
        Path blob = v2.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
        if (Files.size(blob.resolve("data")) > 4096) { // layers; the cache config is small
          deleteTree(blob);
          n++;
        }
      }
    }
    return n;
  }

  /** Deletes a local cache's layer blobs, keeping index.json, its manifest and config. */
  private static int deleteLocalLayerBlobs(Path dir) throws IOException {
    int n = 0;
    try (Stream<Path> blobs = Files.list(dir.resolve("blobs/sha256"))) {
      for (Path blob : blobs.toList()) {
        if (Files.size(blob) > 4096) {
          Files.delete(blob);
          n++;
        }
      }
    }
    return n;
  }

  private static void deleteTree(Path path) throws IOException {
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private CachedImages images() {
    return new CachedImages(
        logTo(), engine, new CliBuildx(DockerEndpoints::fromEnvironment), work.resolve("dc"));
  }

  private BuildLog logTo() {
    return new RecordingLog(log);
  }

  /** A small image whose RUN step carries a nonce: no earlier build can answer it. */
  private BuildSpec spec(String name, String cacheFrom, String cacheTo) throws IOException {
    String image = PREFIX + name;
    images.add(image);
    Path context = work.resolve("ctx-" + name);
    String nonce = "faults-" + UUID.randomUUID();
    Files.createDirectories(context);
    Files.writeString(context.resolve("nonce.txt"), nonce + "\n");
    Files.writeString(
        context.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM " + TestImages.BUSYBOX,
            "COPY nonce.txt /nonce.txt",
            "RUN echo " + nonce + " && head -c 200000 /dev/urandom > /blob",
            ""));
    return BuildSpec.builder(image, context)
        .cacheFrom(CacheSpec.parseImport(cacheFrom))
        .cacheTo(CacheSpec.parseExport(cacheTo))
        .build();
  }
}
