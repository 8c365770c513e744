package io.github.cachedimage.core.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.registry.Credentials;
import io.github.cachedimage.core.registry.ImageReference;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link ImageTransfer} through a docker-java client (the engine pulls and pushes). */
public final class DockerJavaTransfer implements ImageTransfer {
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  private final DockerClient client;

  public DockerJavaTransfer(DockerClient client) {
    this.client = client;
  }

  @Override
  public String pull(String reference, Optional<Credentials> credentials) {
    ImageReference ref = ImageReference.parse(reference);
    try {
      boolean done =
          client
              .pullImageCmd(ref.name())
              .withTag(ref.tag())
              .withAuthConfig(auth(ref, credentials))
              .exec(new PullImageResultCallback())
              .awaitCompletion(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        throw new CachedImageException("pulling " + reference + " took longer than " + TIMEOUT);
      }
      return client.inspectImageCmd(reference).exec().getId();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CachedImageException("interrupted while pulling " + reference, e);
    } catch (RuntimeException e) {
      throw new CachedImageException("pulling " + reference + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void tag(String imageId, String repository, String tag) {
    try {
      client.tagImageCmd(imageId, repository, tag).exec();
    } catch (RuntimeException e) {
      throw new CachedImageException(
          "tagging " + imageId + " as " + repository + ":" + tag + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String push(String reference, Optional<Credentials> credentials) {
    ImageReference ref = ImageReference.parse(reference);
    DigestCallback callback = new DigestCallback();
    try {
      boolean done =
          client
              .pushImageCmd(ref.name())
              .withTag(ref.tag())
              .withAuthConfig(auth(ref, credentials))
              .exec(callback)
              .awaitCompletion(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        throw new CachedImageException("pushing " + reference + " took longer than " + TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CachedImageException("interrupted while pushing " + reference, e);
    } catch (RuntimeException e) {
      throw new CachedImageException("pushing " + reference + " failed: " + e.getMessage(), e);
    }
    if (callback.error != null) {
      throw new CachedImageException("pushing " + reference + " failed: " + callback.error);
    }
    if (callback.digest == null) {
      throw new CachedImageException("pushing " + reference + ": the engine reported no digest");
    }
    return callback.digest;
  }

  /** The registry's address as the engine keys credentials; no secret is logged from here. */
  private static AuthConfig auth(ImageReference ref, Optional<Credentials> credentials) {
    AuthConfig auth = new AuthConfig().withRegistryAddress(ref.registry());
    credentials.ifPresent(c -> auth.withUsername(c.username()).withPassword(c.secret()));
    return auth;
  }

  /**
   * Collects the pushed digest and the first error. Engines report the digest in an {@code aux}
   * message, and (Docker 28 with the containerd image store, which sends no {@code aux}) in the
   * last status line, {@code <tag>: digest: sha256:... size: N}, as {@code docker push} prints it.
   */
  private static final class DigestCallback extends ResultCallback.Adapter<PushResponseItem> {
    private static final Pattern STATUS_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64})");

    volatile String digest;
    volatile String error;

    @Override
    public void onNext(PushResponseItem item) {
      if (item.getAux() != null && item.getAux().getDigest() != null) {
        digest = item.getAux().getDigest();
      } else if (item.getStatus() != null) {
        Matcher m = STATUS_DIGEST.matcher(item.getStatus());
        if (m.find()) {
          digest = m.group(1);
        }
      }
      if (item.isErrorIndicated() && error == null) {
        error =
            item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                ? item.getErrorDetail().getMessage()
                : item.getError();
      }
    }
  }
}
