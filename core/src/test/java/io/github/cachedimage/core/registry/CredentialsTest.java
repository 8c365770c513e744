package io.github.cachedimage.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  @Test
  void toStringMasksTheSecret() {
    Credentials c = new Credentials("bob", "hunter2-planted", "settings.xml server 'ghcr.io'");
    assertThat(c.toString())
        .isEqualTo("Credentials[username=bob, secret=****, source=settings.xml server 'ghcr.io']")
        .doesNotContain("hunter2");
    // also when it ends up in a collection or an Optional that is printed
    assertThat(List.of(c).toString()).doesNotContain("hunter2");
    assertThat(Optional.of(c).toString()).doesNotContain("hunter2");
  }

  @Test
  void theFirstSourceWithCredentialsWins() {
    Credentials fromSettings = new Credentials("bob", "pw1", "settings.xml server 'ghcr.io'");
    Credentials fromDocker = new Credentials("alice", "pw2", "docker config x");
    RegistryCredentials credentials =
        new RegistryCredentials(
            List.of(
                new Fixed("settings.xml <server> entries", "ghcr.io", fromSettings),
                new Fixed("docker config /root/.docker/config.json", "ghcr.io", fromDocker),
                new Fixed("docker config /root/.docker/config.json", "quay.io", fromDocker)));
    assertThat(credentials.find("ghcr.io")).contains(fromSettings);
    assertThat(credentials.find("quay.io")).contains(fromDocker);
    assertThat(credentials.find("docker.io")).isEmpty();
  }

  @Test
  void theNoCredentialsMessageNamesTheRegistryTheFixAndWhatWasTried() {
    RegistryCredentials credentials =
        new RegistryCredentials(
            List.of(
                new Fixed("settings.xml <server> entries", "x", null),
                new Fixed("docker config /root/.docker/config.json", "x", null)));
    assertThat(credentials.noCredentialsMessage("ghcr.io"))
        .isEqualTo(
            "no credentials for ghcr.io: add a <server> with id ghcr.io to settings.xml or run"
                + " docker login (tried: settings.xml <server> entries, docker config"
                + " /root/.docker/config.json)");
  }

  /** A source that knows one registry. */
  private record Fixed(String describe, String registry, Credentials credentials)
      implements CredentialSource {
    @Override
    public Optional<Credentials> find(String registry) {
      return registry.equals(this.registry) ? Optional.ofNullable(credentials) : Optional.empty();
    }
  }
}
