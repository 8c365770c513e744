package io.github.cachedimage.maven;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.github.cachedimage.core.DockerImages;
import io.github.cachedimage.core.DockerJavaImages;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The plugin's Docker API client: docker-java with the zero-dependency transport, configured like
 * the docker CLI ({@code DOCKER_HOST}, {@code ~/.docker/config.json}, default socket).
 */
final class MavenDockerImages implements DockerImages, AutoCloseable {
  private final DockerClient client;
  private final DockerJavaImages images;

  MavenDockerImages() {
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
      client.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
