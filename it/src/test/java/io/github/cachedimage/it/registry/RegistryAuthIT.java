package io.github.cachedimage.it.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.core.registry.Credentials;
import io.github.cachedimage.core.registry.DockerConfigCredentials;
import io.github.cachedimage.core.registry.ImageReference;
import io.github.cachedimage.core.registry.RegistryClient;
import io.github.cachedimage.core.registry.RegistryException;
import io.github.cachedimage.core.registry.RegistryException.Kind;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.Processes;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry client and the docker config credentials against a real registry (Distribution 2.8)
 * with htpasswd auth on loopback, and an image the real engine pushed there. The CLI logs in with a
 * temporary config directory: the user's ~/.docker is never written.
 */
class RegistryAuthIT {
  static final String USER = "ci-user";
  static final String PASSWORD = "planted-" + UUID.randomUUID();
  static final RegistryClient CLIENT = new RegistryClient(Duration.ofSeconds(10));

  static LocalRegistry registry;
  static Path dockerConfig;
  static ImageReference pushed;
  static String pushedDigest;

  @BeforeAll
  static void pushAnImageWithTheCli() throws Exception {
    assumeTrue(
        LocalRegistry.available(),
        "needs Debian's docker-registry (apt-get install docker-registry)");
    assumeTrue(LocalRegistry.htpasswdAvailable(), "needs htpasswd (apt-get install apache2-utils)");
    TestImages.ensureBaseImages();
    Path work = Files.createTempDirectory("cached-image-registry-auth");
    registry = LocalRegistry.startWithHtpasswd(work.resolve("registry"), USER, PASSWORD);
    dockerConfig = Files.createDirectories(work.resolve("docker-config"));

    Processes.runWithInput(
            List.of(
                "docker",
                "--config",
                dockerConfig.toString(),
                "login",
                "--username",
                USER,
                "--password-stdin",
                registry.address()),
            PASSWORD,
            Duration.ofMinutes(1),
            Map.of())
        .requireSuccess();
    pushed = ImageReference.parse(registry.address() + "/it-registry/busybox:1");
    Docker.docker("tag", TestImages.BUSYBOX, pushed.toString()).requireSuccess();
    try {
      String output =
          Docker.docker("--config", dockerConfig.toString(), "push", pushed.toString())
              .requireSuccess()
              .output();
      Matcher digest = Pattern.compile("digest: (sha256:[0-9a-f]{64})").matcher(output);
      assertThat(digest.find()).as("push output has the digest:%n%s", output).isTrue();
      pushedDigest = digest.group(1);
    } finally {
      Docker.removeImages(pushed.toString());
    }
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  Optional<Credentials> fromDockerLogin() {
    return new DockerConfigCredentials(dockerConfig, ProcessBuilder::new).find(pushed.registry());
  }

  @Test
  void theDigestIsTheOneThePushReported() {
    Optional<Credentials> credentials = fromDockerLogin();
    // what docker login wrote: an auths entry keyed by the bare host:port
    assertThat(credentials).isPresent();
    assertThat(credentials.get().username()).isEqualTo(USER);
    assertThat(credentials.get().source())
        .isEqualTo(
            "docker config "
                + dockerConfig.resolve("config.json")
                + " (auths '"
                + registry.address()
                + "')");

    assertThat(CLIENT.manifestDigest(pushed, credentials)).contains(pushedDigest);
    assertThat(CLIENT.manifestDigest(pushed.withTag("1"), credentials)).contains(pushedDigest);
    // by digest too, as a pull by digest would ask
    assertThat(
            CLIENT.manifestDigest(
                ImageReference.parse(registry.address() + "/it-registry/busybox@" + pushedDigest),
                credentials))
        .contains(pushedDigest);
  }

  @Test
  void aMissingTagIsEmpty() {
    assertThat(CLIENT.manifestDigest(pushed.withTag("fp-absent"), fromDockerLogin())).isEmpty();
  }

  @Test
  void aWrongPasswordIsUnauthorizedAndNeverQuoted() throws Exception {
    String wrong = "wrong-" + PASSWORD;
    Credentials bad =
        new Credentials(USER, wrong, "settings.xml server '" + pushed.registry() + "'");
    assertThatThrownBy(() -> CLIENT.manifestDigest(pushed, Optional.of(bad)))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
              assertThat(e.getMessage())
                  .startsWith(
                      "registry "
                          + registry.address()
                          + " refused access to it-registry/busybox with the credentials of user '"
                          + USER
                          + "' from settings.xml server '"
                          + registry.address()
                          + "'");
              assertThat(chain(e)).doesNotContain(wrong).doesNotContain(PASSWORD);
            });
    assertThatThrownBy(() -> CLIENT.manifestDigest(pushed, Optional.empty()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
              assertThat(e.getMessage()).contains("no credentials");
            });
    // the registry logs the user of a failed login, not the password
    assertThat(Files.readString(registry.log())).doesNotContain(PASSWORD);
  }

  @Test
  void aStoppedRegistryIsUnreachable() throws Exception {
    String address;
    try (LocalRegistry other =
        LocalRegistry.startWithHtpasswd(
            Files.createTempDirectory("cached-image-registry-stopped"), USER, PASSWORD)) {
      address = other.address();
      Credentials right = new Credentials(USER, PASSWORD, "test");
      assertThat(
              CLIENT.manifestDigest(
                  ImageReference.parse(address + "/it-registry/busybox:1"), Optional.of(right)))
          .isEmpty();
    }
    ImageReference gone = ImageReference.parse(address + "/it-registry/busybox:1");
    assertThatThrownBy(
            () -> CLIENT.manifestDigest(gone, Optional.of(new Credentials(USER, PASSWORD, "test"))))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
              assertThat(e.getMessage())
                  .startsWith("cannot reach registry " + address + " at http://");
              assertThat(chain(e)).doesNotContain(PASSWORD);
            });
  }

  static String chain(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c).append('\n');
    }
    return all.toString();
  }
}
