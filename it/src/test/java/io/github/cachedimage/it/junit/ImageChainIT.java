package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * App built FROM base, tested with {@code @CachedImage("...app")}: with the plugin skipped (an IDE,
 * {@code -Dcachedimage.skip=true}), the extension rebuilds the stale base, then the app, and the
 * test sees the new base.
 */
class ImageChainIT {
  static final String BASE = "cachedimage-it/graph-base";
  static final String APP = "cachedimage-it/graph-app";

  @BeforeAll
  static void setUp() {
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    Docker.removeRepository(BASE);
    Docker.removeRepository(APP);
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(BASE);
    Docker.removeRepository(APP);
  }

  @Test
  void withThePluginSkippedTheExtensionRebuildsTheChain() throws Exception {
    MavenSample sample = JunitSamples.copy("graph");
    sample.run("verify").assertSuccess().assertLogContains("Tests run: 1, Failures: 0");
    BuildRecord base = sample.record(BASE).orElseThrow();

    sample.write("base/base.txt", "base v2\n");
    MavenSample.Run run =
        sample.run("verify", "-Dcachedimage.skip=true", "-Dexpected.base=base v2").assertSuccess();
    run.assertLogContains("cached-image: skipped");
    assertThat(JunitSamples.extensionLines(run, BASE + ": building (inputs changed: base.txt)"))
        .hasSize(1);
    BuildRecord base2 = sample.record(BASE).orElseThrow();
    assertThat(
            JunitSamples.extensionLines(
                run,
                APP
                    + ": building (base image "
                    + BASE
                    + " changed: "
                    + base.shortImageId()
                    + " -> "
                    + base2.shortImageId()
                    + ")"))
        .hasSize(1);
    // AppIT asserts the container serves -Dexpected.base
    run.assertLogContains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
  }

  @Test
  void aBaseRemovedFromTheEngineIsRebuiltBeforeTheApp() throws Exception {
    MavenSample sample = JunitSamples.copy("graph");
    sample.run("verify").assertSuccess();
    Docker.removeRepository(BASE);
    MavenSample.Run run = sample.run("verify").assertSuccess();
    assertThat(JunitSamples.pluginLines(run, BASE + ": building (image ")).hasSize(1);
    run.assertLogContains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
    assertThat(Docker.imageId(BASE + ":latest")).isPresent();
  }
}
