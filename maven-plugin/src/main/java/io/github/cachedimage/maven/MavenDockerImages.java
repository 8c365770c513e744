package io.github.cachedimage.maven;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.engine.DockerJavaTransfer;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.engine.EngineInfo;
import io.github.cachedimage.core.engine.ImageTag;
import io.github.cachedimage.core.engine.ImageTransfer;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.core.engine.UnixSocketTransfer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The plugin's Docker API access to one resolved {@link DockerEndpoint}: plain HTTP on the local
 * socket when the engine is one (fast in a cold JVM, see {@link UnixSocketImages}), else
 * docker-java with the zero-dependency transport ({@code tcp://} with or without TLS, {@code
 * npipe://}).
 */
final class MavenDockerImages implements DockerImages, AutoCloseable {
  private final DockerEndpoint endpoint;
  private DockerClient client;
  private final DockerImages images;

  /**
   * @throws DockerUnavailableException for {@code ssh://}, which only the docker CLI speaks
   */
  MavenDockerImages(DockerEndpoint endpoint) {
    this.endpoint = endpoint;
    Optional<UnixSocketImages> socket = UnixSocketImages.forEndpoint(endpoint);
    if (socket.isPresent()) {
      this.images = socket.get();
      return;
    }
    if (endpoint.isSsh()) {
      throw new DockerUnavailableException(HelpfulSuggestions.sshEndpoint(endpoint.describe()));
    }
    this.images = new DockerJavaImages(client(), endpoint.host());
  }

  /**
   * Pull and push on the same endpoint: with the JDK over a local socket (a fresh runner's reuse is
   * mostly this pull), else through docker-java, created on first use.
   */
  synchronized ImageTransfer transfer() {
    Optional<java.nio.file.Path> socket = endpoint.unixSocket();
    return socket.isPresent()
        ? new UnixSocketTransfer(socket.get())
        : new DockerJavaTransfer(client());
  }

  private synchronized DockerClient client() {
    if (client == null) {
      // Explicit host and TLS: docker-java must not resolve an engine of its own.
      DefaultDockerClientConfig.Builder builder =
          DefaultDockerClientConfig.createDefaultConfigBuilder()
              .withDockerHost(endpoint.host())
              .withDockerTlsVerify(endpoint.tlsVerify());
      if (endpoint.certPath() != null) {
        builder.withDockerCertPath(endpoint.certPath().toString());
      }
      DockerClientConfig config = builder.build();
      DockerHttpClient http =
          new ZerodepDockerHttpClient.Builder()
              .dockerHost(config.getDockerHost())
              .sslConfig(config.getSSLConfig())
              .connectionTimeout(Duration.ofSeconds(5))
              .responseTimeout(Duration.ofMinutes(30))
              .build();
      client = DockerClientImpl.getInstance(config, http);
    }
    return client;
  }

  @Override
  public boolean isReachable() {
    return images.isReachable();
  }

  @Override
  public Optional<String> findImage(String imageIdOrRef) {
    return images.findImage(imageIdOrRef);
  }

  @Override
  public boolean hasImage(String imageId) {
    return images.hasImage(imageId);
  }

  @Override
  public EngineInfo engine() {
    return images.engine();
  }

  @Override
  public List<ImageTag> tags(String repository, String tagPattern) {
    return images.tags(repository, tagPattern);
  }

  @Override
  public Set<String> containerImageIds() {
    return images.containerImageIds();
  }

  @Override
  public void untag(String reference) {
    images.untag(reference);
  }

  @Override
  public synchronized void close() {
    try {
      if (client != null) {
        client.close();
      }
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
