package io.github.cachedimage.core.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link DockerImages} through a docker-java {@link DockerClient}: one API call per question, a few
 * milliseconds. The Maven plugin passes its own client; the JUnit extension passes the one
 * Testcontainers configured ({@code DockerClientFactory.instance().client()}).
 */
public final class DockerJavaImages implements DockerImages {
  private final DockerClient client;
  private final String host;

  /**
   * @param host the endpoint the client was configured with, for messages and the record
   */
  public DockerJavaImages(DockerClient client, String host) {
    this.client = Objects.requireNonNull(client, "client");
    this.host = Objects.requireNonNull(host, "host");
  }

  @Override
  public boolean isReachable() {
    try {
      client.pingCmd().exec();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public Optional<String> findImage(String imageIdOrRef) {
    try {
      return Optional.ofNullable(client.inspectImageCmd(imageIdOrRef).exec().getId());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (DockerException e) {
      throw new CachedImageException(
          "the Docker engine refused to inspect " + imageIdOrRef + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DockerUnavailableException(
          HelpfulSuggestions.dockerUnavailable(describe(e)), root(e));
    }
  }

  @Override
  public EngineInfo engine() {
    try {
      Info info = client.infoCmd().exec();
      Version version = client.versionCmd().exec();
      boolean podman =
          version.getComponents() != null
              && version.getComponents().stream()
                  .anyMatch(c -> "Podman Engine".equals(c.getName()));
      return new EngineInfo(
          Objects.toString(info.getId(), ""),
          host,
          Objects.toString(info.getServerVersion(), ""),
          podman,
          String.valueOf(info.getDriverStatuses()).contains("io.containerd.snapshotter"));
    } catch (DockerException e) {
      throw new CachedImageException(
          "the Docker engine at " + host + " refused to describe itself: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DockerUnavailableException(
          HelpfulSuggestions.dockerUnavailable(host + ": " + describe(e)), root(e));
    }
  }

  private static String describe(Throwable e) {
    Throwable root = root(e);
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /**
   * The root cause, which becomes the cause: Maven prints every cause's message that the message
   * does not contain, and docker-java's wrappers repeat the root's with its class name in front.
   */
  private static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
