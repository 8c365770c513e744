package io.github.cachedimage.it.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.engine.EngineInfo;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hand-written socket client of the up-to-date check, against the real engine. */
class UnixSocketImagesIT {
  static UnixSocketImages engine;
  static String busyboxId;

  @BeforeAll
  static void engine() {
    TestImages.ensureBaseImages();
    engine = UnixSocketImages.forEndpoint(DockerEndpoints.fromEnvironment()).orElseThrow();
    busyboxId = Docker.imageId(TestImages.BUSYBOX).orElseThrow();
  }

  @Test
  void answersWhatTheCliAnswers() {
    assertThat(engine.isReachable()).isTrue();
    assertThat(engine.findImage(TestImages.BUSYBOX)).contains(busyboxId);
    assertThat(engine.findImage(busyboxId)).contains(busyboxId);
    assertThat(engine.hasImage(busyboxId)).isTrue();
    String absent = "sha256:" + "0".repeat(64);
    assertThat(engine.findImage(absent)).isEmpty();
    assertThat(engine.hasImage(absent)).isFalse();
  }

  @Test
  void describesTheEngineAsDockerInfoDoes() {
    String[] cli =
        Docker.docker("info", "--format", "{{.ID}} {{.ServerVersion}} {{json .DriverStatus}}")
            .output()
            .strip()
            .split(" ", 3);
    EngineInfo info = engine.engine();
    assertThat(info.id()).isEqualTo(cli[0]);
    assertThat(info.version()).isEqualTo(cli[1]);
    assertThat(info.podman()).isFalse();
    // the build takes the image store from here instead of running `docker info`
    assertThat(info.containerdStore()).isEqualTo(cli[2].contains("io.containerd.snapshotter"));
  }

  @Test
  void noEngineAtTheSocketIsDockerUnavailable() {
    UnixSocketImages nowhere = new UnixSocketImages(Path.of("/tmp/no-such-docker.sock"));
    assertThat(nowhere.isReachable()).isFalse();
    assertThatThrownBy(() -> nowhere.hasImage(busyboxId))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageContaining("/tmp/no-such-docker.sock");
    assertThat(UnixSocketImages.forEndpoint(DockerEndpoint.of("unix:///tmp/none.sock", "test")))
        .isEmpty();
  }
}
