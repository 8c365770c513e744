package io.github.cachedimage.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two executions, two images, one module; the properties reach a later plugin. */
class TwoImagesIT {
  static final String API = "cachedimage-it-two-api";
  static final String WORKER = "cachedimage-it-two-worker";

  @BeforeAll
  static void setUp() {
    TestImages.ensureBaseImages();
    Docker.removeRepository(API);
    Docker.removeRepository(WORKER);
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(API);
    Docker.removeRepository(WORKER);
  }

  @Test
  void buildsBothRecordsBothAndSetsTheirProperties() throws Exception {
    MavenSample sample = MavenSample.copy("build-two-images");
    MavenSample.Run run = sample.run("verify").assertSuccess();
    BuildRecord api = sample.record(API).orElseThrow();
    BuildRecord worker = sample.record(WORKER).orElseThrow();
    assertThat(api.imageId()).isNotEqualTo(worker.imageId());
    assertThat(worker.spec().labels()).containsEntry("role", "worker");
    run.assertLogContains(API + ": built " + api.shortImageId())
        .assertLogContains(WORKER + ": built " + worker.shortImageId());
    java.util.Properties props = new java.util.Properties();
    try (var in =
        java.nio.file.Files.newBufferedReader(sample.file("target/props/images.properties"))) {
      props.load(in);
    }
    assertThat(props)
        .containsEntry("api.id", api.imageId())
        .containsEntry("api.tag", api.contentTag())
        .containsEntry("worker.id", worker.imageId())
        .containsEntry("worker.tag", worker.contentTag());
    assertThat(Docker.imageId(API + ":latest")).contains(api.imageId());
    assertThat(Docker.imageId(WORKER + ":latest")).contains(worker.imageId());

    sample.write("worker/worker.txt", "worker v2");
    MavenSample.Run again = sample.run("verify").assertSuccess();
    again.assertLogContains(API + ": up to date (" + api.shortImageId() + ", inputs unchanged)");
    again.assertLogContains(WORKER + ": building (inputs changed: worker.txt)");
  }
}
