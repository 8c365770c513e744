package io.github.cachedimage.core.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

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

  @Override
  public List<ImageTag> tags(String repository, String tagPattern) {
    TagFilter filter = new TagFilter(repository, tagPattern);
    List<ImageTag> out = new ArrayList<>();
    for (Image image :
        ask(
            "list the images of " + repository,
            () -> client.listImagesCmd().withReferenceFilter(filter.enginePattern()).exec())) {
      Instant created = Instant.ofEpochSecond(Objects.requireNonNullElse(image.getCreated(), 0L));
      if (image.getRepoTags() == null) {
        continue;
      }
      for (String tag : image.getRepoTags()) {
        if (filter.matches(tag)) {
          out.add(new ImageTag(tag, image.getId(), created));
        }
      }
    }
    return out;
  }

  @Override
  public Set<String> containerImageIds() {
    Set<String> ids = new HashSet<>();
    for (Container c :
        ask("list containers", () -> client.listContainersCmd().withShowAll(true).exec())) {
      if (c.getImageId() != null && !c.getImageId().isEmpty()) {
        ids.add(c.getImageId());
      }
    }
    return ids;
  }

  @Override
  public void untag(String reference) {
    try {
      client.removeImageCmd(reference).withForce(false).withNoPrune(false).exec();
    } catch (NotFoundException gone) {
      // removed meanwhile: what was wanted
    } catch (DockerException e) {
      throw new CachedImageException(
          "the Docker engine at "
              + host
              + " refused to remove the tag "
              + reference
              + ": "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      throw new DockerUnavailableException(
          HelpfulSuggestions.dockerUnavailable(host + ": " + describe(e)), e);
    }
  }

  private <T> T ask(String doing, Supplier<T> call) {
    try {
      return call.get();
    } catch (DockerException e) {
      throw new CachedImageException(
          "the Docker engine at " + host + " refused to " + doing + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DockerUnavailableException(
          HelpfulSuggestions.dockerUnavailable(host + ": " + describe(e)), e);
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
