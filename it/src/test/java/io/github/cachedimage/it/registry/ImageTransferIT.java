package io.github.cachedimage.it.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.DockerJavaTransfer;
import io.github.cachedimage.core.engine.ImageTransfer;
import io.github.cachedimage.core.engine.UnixSocketTransfer;
import io.github.cachedimage.core.registry.Credentials;
import io.github.cachedimage.core.registry.ImageReference;
import io.github.cachedimage.core.registry.RegistryClient;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.DockerClientFactory;

/**
 * Both {@link ImageTransfer}s against the real engine and a registry with htpasswd auth: tag, push
 * (the digest equals the registry's), pull back after removal, and a wrong password fails with a
 * message that names the reference but never the password.
 */
class ImageTransferIT {
  static final String USER = "ci";
  static final String PASSWORD = "pl4nted-" + UUID.randomUUID();
  static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(LocalRegistry.htpasswdAvailable(), "needs htpasswd (apache2-utils)");
    assumeTrue(Files.exists(Path.of("/var/run/docker.sock")), "a local engine socket");
    TestImages.ensureBaseImages();
    registry =
        LocalRegistry.startWithHtpasswd(
            Files.createTempDirectory("cached-image-transfer-registry-"), USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      Docker.removeRepository(registry.address() + "/transfer/socket");
      Docker.removeRepository(registry.address() + "/transfer/docker-java");
      registry.close();
    }
  }

  static Stream<Arguments> transfers() {
    DockerClient client = DockerClientFactory.instance().client();
    return Stream.of(
        Arguments.of("socket", new UnixSocketTransfer(Path.of("/var/run/docker.sock"))),
        Arguments.of("docker-java", new DockerJavaTransfer(client)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transfers")
  void tagPushPullAndAWrongPassword(String name, ImageTransfer transfer) {
    String repository = registry.address() + "/transfer/" + name;
    String reference = repository + ":v1";
    Optional<Credentials> good = Optional.of(new Credentials(USER, PASSWORD, "test"));
    String busybox = Docker.imageId(TestImages.BUSYBOX).orElseThrow();

    transfer.tag(busybox, repository, "v1");
    assertThat(Docker.imageId(reference)).contains(busybox);
    String digest = transfer.push(reference, good);
    assertThat(
            new RegistryClient(Duration.ofSeconds(10))
                .manifestDigest(ImageReference.parse(reference), good))
        .contains(digest);

    Docker.removeImages(reference);
    assertThat(Docker.imageId(reference)).isEmpty();
    String pulled = transfer.pull(reference, good);
    assertThat(Docker.imageId(reference)).contains(pulled);

    Optional<Credentials> wrong = Optional.of(new Credentials(USER, "wrong-" + PASSWORD, "test"));
    Docker.removeImages(reference);
    assertThatThrownBy(() -> transfer.pull(reference, wrong))
        .isInstanceOf(CachedImageException.class)
        .hasMessageContaining("pulling " + reference + " failed")
        .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain(PASSWORD));
    assertThatThrownBy(() -> transfer.pull(repository + ":missing", good))
        .isInstanceOf(CachedImageException.class)
        .hasMessageContaining(repository + ":missing");
  }
}
