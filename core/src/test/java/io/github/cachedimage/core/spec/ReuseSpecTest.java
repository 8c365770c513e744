package io.github.cachedimage.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReuseSpecTest {

  @Test
  void pushesOutsidePullRequestsByDefault() {
    ReuseSpec spec = new ReuseSpec("ghcr.io/acme/greeter", null, false);
    assertThat(spec.push()).isEqualTo(ReuseSpec.OUTSIDE_PULL_REQUESTS);
    assertThat(spec.pushes(Map.of())).isTrue(); // a laptop, another CI
    assertThat(spec.pushes(Map.of("GITHUB_ACTIONS", "true", "GITHUB_EVENT_NAME", "push"))).isTrue();
    assertThat(spec.pushes(Map.of("GITHUB_ACTIONS", "true", "GITHUB_EVENT_NAME", "pull_request")))
        .isFalse();
    assertThat(
            spec.pushes(
                Map.of("GITHUB_ACTIONS", "true", "GITHUB_EVENT_NAME", "pull_request_target")))
        .isFalse();
  }

  @Test
  void alwaysAndNeverMeanWhatTheySay() {
    Map<String, String> pr = Map.of("GITHUB_ACTIONS", "true", "GITHUB_EVENT_NAME", "pull_request");
    assertThat(new ReuseSpec("localhost:5000/greeter", "always", false).pushes(pr)).isTrue();
    assertThat(new ReuseSpec("localhost:5000/greeter", "never", false).pushes(Map.of())).isFalse();
  }

  @Test
  void badInputNamesTheParameter() {
    assertThatThrownBy(() -> new ReuseSpec("ghcr.io/acme/greeter:1.0", null, false))
        .isInstanceOfSatisfying(
            InvalidBuildSpecException.class,
            e -> assertThat(e.parameter()).isEqualTo("imageRepository"))
        .hasMessageContaining("no tag");
    assertThatThrownBy(() -> new ReuseSpec("greeter", null, false))
        .hasMessageContaining("expected <registry>/<path>");
    assertThatThrownBy(() -> new ReuseSpec(" ", null, false))
        .hasMessageContaining("imageRepository is blank");
    assertThatThrownBy(() -> new ReuseSpec("ghcr.io/acme/greeter", "sometimes", false))
        .isInstanceOfSatisfying(
            InvalidBuildSpecException.class, e -> assertThat(e.parameter()).isEqualTo("reusePush"))
        .hasMessageContaining("use always, never or outside-pull-requests");
  }
}
