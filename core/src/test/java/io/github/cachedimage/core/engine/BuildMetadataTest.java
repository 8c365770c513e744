package io.github.cachedimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BuildMetadataTest {

  private static BuildMetadata read(String name) throws Exception {
    try (InputStream in = BuildMetadataTest.class.getResourceAsStream("/buildx/" + name)) {
      return BuildMetadata.parse(in.readAllBytes());
    }
  }

  @Test
  void containerdStoreTheImageIdIsTheDigest() throws Exception {
    BuildMetadata meta = read("metadata-containerd.json");
    assertThat(meta.digest()).startsWith("sha256:2222");
    assertThat(meta.imageIdCandidates()).first().isEqualTo(meta.digest());
    assertThat(meta.imageIdCandidates()).last().isEqualTo(meta.configDigest());
  }

  @Test
  void classicStoreTheImageIdIsTheConfigDigest() throws Exception {
    BuildMetadata meta = read("metadata-classic.json");
    assertThat(meta.digest()).isNull();
    assertThat(meta.imageIdCandidates())
        .containsExactly("sha256:1111111111111111111111111111111111111111111111111111111111111111");
  }
}
