package io.github.cachedimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TagFilterTest {
  @Test
  void theEngineIsAskedByTheFamiliarNameAndItsAnswerCheckedAgain() {
    TagFilter hub = new TagFilter("docker.io/library/greeter", "fp-*");
    assertThat(hub.enginePattern()).isEqualTo("greeter:fp-*");
    assertThat(hub.matches("greeter:fp-1a2b3c4d5e6f")).isTrue();
    assertThat(hub.matches("greeter:latest")).isFalse();
    assertThat(hub.matches("greeter-two:fp-1a2b3c4d5e6f")).isFalse();
    assertThat(hub.matches("acme/greeter:fp-1a2b3c4d5e6f")).isFalse();

    TagFilter local = new TagFilter("localhost:5000/team/greeter", "fp-*");
    assertThat(local.enginePattern()).isEqualTo("localhost:5000/team/greeter:fp-*");
    assertThat(local.matches("localhost:5000/team/greeter:fp-abc")).isTrue();
    assertThat(local.matches("localhost:5000/team/greeter")).isFalse();
    assertThat(local.matches("team/greeter:fp-abc")).isFalse();
  }
}
