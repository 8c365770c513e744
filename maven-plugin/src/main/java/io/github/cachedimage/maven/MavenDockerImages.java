package io.github.cachedimage.maven;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.engine.UnixSocketImages;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The plugin's Docker API access: plain HTTP on the local socket when the engine is one (fast in a
 * cold JVM, see {@link UnixSocketImages}), else docker-java with the zero-dependency transport,
 * configured like the docker CLI ({@code DOCKER_HOST}, {@code ~/.docker/config.json}, TLS).
 */
final class MavenDockerImages implements DockerImages, AutoCloseable {
  private DockerClient client;
  private final DockerImages images;

  MavenDockerImages() {
    Optional<UnixSocketImages> socket = UnixSocketImages.forEnvironment(System.getenv());
    if (socket.isPresent()) {
      this.images = socket.get();
      return;
    }
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    DockerHttpClient http =
        new ZerodepDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .connectionTimeout(Duration.ofSeconds(5))
            .responseTimeout(Duration.ofSeconds(60))
            .build();
    this.client = DockerClientImpl.getInstance(config, http);
    this.images = new DockerJavaImages(client);
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
  public void close() {
    try {
      if (client != null) {
        client.close();
      }
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
