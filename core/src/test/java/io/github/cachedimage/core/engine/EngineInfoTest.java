package io.github.cachedimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineInfoTest {

  private static EngineInfo docker(String version) {
    return new EngineInfo("id", "unix:///var/run/docker.sock", version, false);
  }

  @Test
  void enginesBefore24AreTooOldAndUnknownVersionsAreNot() {
    assertThat(docker("20.10.24").tooOld()).isTrue();
    assertThat(docker("23.0.6").tooOld()).isTrue();
    assertThat(docker("24.0.0").tooOld()).isFalse();
    assertThat(docker("28.5.2").tooOld()).isFalse();
    assertThat(docker("").tooOld()).isFalse();
    assertThat(docker("dev").tooOld()).isFalse();
    // Podman's numbers are its own: refused as Podman, not as an old Docker
    assertThat(new EngineInfo("", "unix:///podman.sock", "5.2.0", true).tooOld()).isFalse();
  }

  @Test
  void describeShortensTheId() {
    assertThat(
            new EngineInfo(
                    "2b1c0e9a-7f3c-4d1e-9a8b-0c1d2e3f4a5b",
                    "unix:///var/run/docker.sock",
                    "",
                    false)
                .describe())
        .isEqualTo("2b1c0e9a-7f3 (unix:///var/run/docker.sock)");
    assertThat(new EngineInfo("", "tcp://x:2375", "", false).describe())
        .isEqualTo("(no ID) (tcp://x:2375)");
  }
}
