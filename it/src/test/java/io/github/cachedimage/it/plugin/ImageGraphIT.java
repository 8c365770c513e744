package io.github.cachedimage.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An image built FROM another image of the same module: a changed base rebuilds the app. */
class ImageGraphIT {
  static final String BASE = "cachedimage-it-graph-base";
  static final String APP = "cachedimage-it-graph-app";

  @BeforeAll
  static void setUp() {
    TestImages.ensureBaseImages();
    Docker.removeRepository(BASE);
    Docker.removeRepository(APP);
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(BASE);
    Docker.removeRepository(APP);
  }

  @Test
  void aChangedBaseRebuildsTheImageBuiltOnIt() throws Exception {
    MavenSample sample = MavenSample.copy("build-image-graph");
    sample.run("verify").assertSuccess();
    BuildRecord base = sample.record(BASE).orElseThrow();
    BuildRecord app = sample.record(APP).orElseThrow();
    assertThat(app.baseImages()).containsExactly(java.util.Map.entry(BASE, base.imageId()));
    assertThat(run(app.contentTag())).isEqualTo("base v1\napp v1\n");

    sample.run("verify").assertSuccess().assertLogContains(APP + ": up to date (");

    sample.write("base/base.txt", "base v2\n");
    MavenSample.Run again = sample.run("verify").assertSuccess();
    BuildRecord base2 = sample.record(BASE).orElseThrow();
    again
        .assertLogContains(BASE + ": building (inputs changed: base.txt)")
        .assertLogContains(
            APP
                + ": building (base image "
                + BASE
                + " changed: "
                + base.shortImageId()
                + " -> "
                + base2.shortImageId()
                + ")");
    BuildRecord app2 = sample.record(APP).orElseThrow();
    assertThat(run(app2.contentTag())).isEqualTo("base v2\napp v1\n");

    // a base rebuilt by hand (same inputs, new image) is a change too
    Docker.docker("build", "-q", "--no-cache", "-t", BASE, sample.file("base").toString())
        .requireSuccess();
    sample
        .run("verify")
        .assertSuccess()
        .assertLogContains(APP + ": building (base image " + BASE + " changed: ");
  }

  @Test
  void anExecutionBeforeTheOneThatBuildsItsBaseFailsBeforeBuilding() throws Exception {
    MavenSample sample = MavenSample.copy("build-image-graph-wrong-order");
    sample
        .run("verify")
        .assertFailure()
        .assertLogContains(
            APP
                + ": its Dockerfile builds on "
                + BASE
                + ", which execution 'base' of module build-image-graph-wrong-order builds after"
                + " execution 'app' of module build-image-graph-wrong-order. Fix: put execution"
                + " 'base' before 'app' in the POM (executions bound to one phase run in POM"
                + " order)");
    assertThat(sample.record(APP)).isEmpty();
  }

  @Test
  void imagesBuildingOnEachOtherInACycleFailBeforeBuilding() throws Exception {
    MavenSample sample = MavenSample.copy("build-image-graph");
    sample.write("base/Dockerfile", "FROM " + APP + "\nCOPY base.txt /base.txt\n");
    sample
        .run("verify")
        .assertFailure()
        .assertLogContains(
            "images build on each other in a cycle: "
                + BASE
                + " (execution 'base' of module build-image-graph) -> "
                + APP
                + " (execution 'app' of module build-image-graph) -> "
                + BASE
                + ". Fix: change the FROM (or COPY --from) lines so that no image builds on"
                + " itself");
    assertThat(sample.record(BASE)).isEmpty();
  }

  private static String run(String image) {
    return Docker.docker("run", "--rm", image).requireSuccess().output();
  }
}
