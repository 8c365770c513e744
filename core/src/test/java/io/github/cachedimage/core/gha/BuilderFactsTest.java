package io.github.cachedimage.core.gha;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.engine.Buildx;
import org.junit.jupiter.api.Test;

class BuilderFactsTest {

  @Test
  void parsesDistributionVersionsAndTreatsZeroAsUnknown() {
    assertThat(BuilderFacts.parse("0.29.1+ds1")).containsExactly(0, 29, 1);
    assertThat(BuilderFacts.parse("v0.25.1")).containsExactly(0, 25, 1);
    assertThat(BuilderFacts.parse("28.5.2+dfsg4")).containsExactly(28, 5, 2);
    assertThat(BuilderFacts.parse("v0.0.0+unknown")).isNull();
    assertThat(BuilderFacts.parse(null)).isNull();
  }

  @Test
  void engine28MeansBuildkit020ForTheDockerDriverOnly() {
    assertThat(
            new BuilderFacts("0.21.0", "v0.0.0+unknown", "28.0.0", "d", "docker", true)
                .buildkitTooOld())
        .isFalse();
    assertThat(
            new BuilderFacts("0.21.0", "v0.0.0+unknown", "27.5.1", "d", "docker", true)
                .buildkitTooOld())
        .isTrue();
    BuilderFacts container =
        new BuilderFacts("0.21.0", null, "27.5.1", "c", "docker-container", true);
    assertThat(container.buildkitTooOld()).isFalse();
    assertThat(container.buildkitVersionUnknown()).isTrue();
  }

  @Test
  void fromCoreInfo() {
    BuilderFacts facts =
        BuilderFacts.of(new Buildx.Info("0.29.1", "default", "docker", false), null, "28.5.2");
    assertThat(facts.canExportGha()).isFalse();
    assertThat(facts.buildxTooOld()).isFalse();
    assertThat(new BuilderFacts("0.20.9", null, null, "x", "remote", true).buildxTooOld()).isTrue();
  }
}
