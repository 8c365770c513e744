package io.github.cachedimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokenBuildCacheTest {

  private static BuildProgress fed(String resource) throws IOException {
    BuildProgress progress = new BuildProgress();
    try (InputStream in = BrokenBuildCacheTest.class.getResourceAsStream("/buildx/" + resource)) {
      new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(progress::accept);
    }
    return progress;
  }

  /** Real output of a build that hit a record whose mutable snapshot was removed. */
  @Test
  void namesTheRecordWhoseSnapshotIsGone() throws IOException {
    BrokenBuildCache broken = BrokenBuildCache.in(fed("broken-cache-record.txt"));
    assertThat(broken).isNotNull();
    assertThat(broken.missingSnapshot()).isEqualTo("yq70ty347wiol35pr0noxs0uz");
    assertThat(broken.error())
        .startsWith("failed to commit yq70ty347wiol35pr0noxs0uz to ov3lfl36egyef2vnvxgbr3kp7");
  }

  @Test
  void onlyThatError() throws IOException {
    BuildProgress failedStep = new BuildProgress();
    failedStep.accept("#5 [2/2] RUN false");
    failedStep.accept("#5 ERROR: process \"/bin/sh -c false\" did not complete successfully");
    failedStep.accept("ERROR: failed to build: failed to solve: process did not complete");
    assertThat(BrokenBuildCache.in(failedStep)).isNull();

    BuildProgress otherWording = new BuildProgress();
    otherWording.accept(
        "ERROR: failed to solve: failed to stat active key during commit: snapshot abc does not"
            + " exist: not found");
    assertThat(BrokenBuildCache.in(otherWording).missingSnapshot()).isEqualTo("abc");

    BuildProgress noId = new BuildProgress();
    noId.accept("ERROR: failed to solve: failed to stat active key during commit: gone");
    assertThat(BrokenBuildCache.in(noId).missingSnapshot()).isNull();
  }

  @Test
  void pruneRemovesExactlyTheRecordOrEveryUnusedOne() {
    assertThat(CliBuildx.pruneCommand(null, List.of("yq70ty347wiol35pr0noxs0uz")))
        .containsExactly(
            "docker",
            "buildx",
            "prune",
            "--all",
            "--force",
            "--filter",
            "id=yq70ty347wiol35pr0noxs0uz");
    assertThat(CliBuildx.pruneCommand("ci", List.of()))
        .containsExactly("docker", "buildx", "prune", "--builder", "ci", "--force");
  }
}
