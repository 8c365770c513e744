package io.github.cachedimage.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code type=registry} cache against a real registry on a loopback port: the first build exports
 * it, a fresh runner (image removed, build cache pruned, no target/) imports the slow step from it.
 */
class RegistryCacheIT {
  static final String IMAGE = "cachedimage-it/plugin-registry";
  static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        LocalRegistry.available(),
        "needs Debian's docker-registry (apt-get install docker-registry)");
    TestImages.ensureBaseImages();
    Docker.removeRepository(IMAGE);
    registry = LocalRegistry.start(Files.createTempDirectory("cached-image-registry"));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    Docker.removeRepository(IMAGE);
  }

  @Test
  void aFreshRunnerImportsTheSlowStepFromTheRegistryCache() throws Exception {
    String ref = registry.address() + "/plugin-registry:cache";
    MavenSample sample = MavenSample.copy("build-basic");
    String[] args = {
      "verify",
      "-Dsample.image=" + IMAGE,
      "-Dsample.salt=" + UUID.randomUUID(),
      "-Dcachedimage.cacheFrom=type=registry,ref=" + ref,
      "-Dcachedimage.cacheTo=type=registry,ref=" + ref + ",mode=max"
    };
    MavenSample.Run first = sample.run(args).assertSuccess();
    BuildRecord built = sample.record(IMAGE).orElseThrow();
    assertThat(PluginLogs.stepRan(first, "sleep 5")).isTrue();
    // nothing exported there yet: one INFO line (no warning), and the build goes on
    assertThat(
            first.linesContaining(
                "[INFO] "
                    + IMAGE
                    + ": cache type=registry,ref="
                    + ref
                    + " has nothing to import yet (no build exported to it); building without it"))
        .hasSize(1);
    first.assertLogLacks("[WARNING] " + IMAGE + ": cache import");
    assertThat(first.linesContaining(": not found")).isEmpty();
    assertThat(built.spec().cacheTo())
        .singleElement()
        .asString()
        .isEqualTo("type=registry,ref=" + ref + ",mode=max");
    assertThat(sample.cacheDirectory()).doesNotExist(); // the default cache is not used
    System.out.printf(
        "FIGURE plugin first build (registry cache export): buildx %d ms%n", built.buildMillis());

    Docker.removeRepository(IMAGE);
    Docker.pruneBuildCache();
    MavenSample.deleteRecords(sample);

    MavenSample.Run second = sample.run(args).assertSuccess();
    BuildRecord record = sample.record(IMAGE).orElseThrow();
    assertThat(PluginLogs.stepCached(second, "sleep 5")).isTrue();
    assertThat(record.cacheSummary().steps()).isEqualTo(4);
    assertThat(record.cacheSummary().cached()).isEqualTo(3);
    assertThat(record.cacheSummary().from()).containsExactly("type=registry,ref=" + ref);
    second.assertLogContains("3/4 steps cached (from type=registry,ref=" + ref + ")");
    assertThat(Docker.imageId(record.contentTag())).contains(record.imageId());
    System.out.printf(
        "FIGURE plugin fresh-runner build from registry cache: buildx %d ms%n",
        record.buildMillis());
  }

  @Test
  void anExportToARegistryThatIsDownWarnsUnlessAskedToFail() throws Exception {
    int deadPort;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    String ref = "127.0.0.1:" + deadPort + "/plugin-registry:cache";
    MavenSample sample = MavenSample.copy("build-basic");
    String salt = "-Dsample.salt=" + UUID.randomUUID();
    MavenSample.Run strict =
        sample.run(
            "verify",
            "-Dsample.image=" + IMAGE,
            salt,
            "-Dcachedimage.cacheTo=type=registry,ref=" + ref,
            "-Dcachedimage.failOnCacheExportError=true");
    strict
        .assertFailure()
        .assertLogContains(IMAGE + ": cache export failed (exporting cache to registry): ")
        .assertLogContains("(failOnCacheExportError is set; unset it to build on with a warning)");
    assertThat(sample.record(IMAGE)).isEmpty();

    MavenSample.Run lenient =
        sample
            .run(
                "verify",
                "-Dsample.image=" + IMAGE,
                salt,
                "-Dcachedimage.cacheTo=type=registry,ref=" + ref)
            .assertSuccess();
    assertThat(
            lenient.linesContaining(
                "[WARNING] " + IMAGE + ": cache export to type=registry,ref=" + ref + " failed: "))
        .hasSize(1);
    BuildRecord record = sample.record(IMAGE).orElseThrow();
    assertThat(Docker.imageId(record.contentTag())).contains(record.imageId());
  }
}
