package io.github.cachedimage.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.engine.DockerEndpoint;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.testcontainers.dockerclient.TransportConfig;

/** The endpoint the extension gives buildx is the one Testcontainers resolved. */
class DockerAccessTest {

  @Test
  void aPlainHostIsPassedAsIs() {
    DockerEndpoint e =
        DockerAccess.TestcontainersDocker.endpointOf(
            TransportConfig.builder()
                .dockerHost(URI.create("unix:///var/run/docker.sock"))
                .build());
    assertThat(e.host()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(e.tlsVerify()).isFalse();
    assertThat(e.context()).isNull(); // passed as DOCKER_HOST, never as the CLI's context
    assertThat(e.source()).isEqualTo("Testcontainers");
  }

  @Test
  void tlsCarriesTheCertificateDirectoryTestcontainersUses() {
    // what Testcontainers builds from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH (its shaded docker-java)
    var ssl =
        new org.testcontainers.shaded.com.github.dockerjava.core.LocalDirectorySSLConfig(
            "/certs/client");
    DockerEndpoint e =
        DockerAccess.TestcontainersDocker.endpointOf(
            TransportConfig.builder()
                .dockerHost(URI.create("tcp://docker:2376"))
                .sslConfig(ssl)
                .build());
    assertThat(e.host()).isEqualTo("tcp://docker:2376");
    assertThat(e.tlsVerify()).isTrue();
    assertThat(e.certPath()).isEqualTo(Path.of("/certs/client"));
  }
}
