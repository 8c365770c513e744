package io.github.cachedimage.maven;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.ImageTransfer;
import io.github.cachedimage.core.registry.DockerConfigCredentials;
import io.github.cachedimage.core.registry.RegistryCredentials;
import java.util.List;
import java.util.function.Supplier;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/** Registry access for the goals: the engine's pull and push, credentials the Maven way. */
final class MavenRegistries {
  private MavenRegistries() {}

  static CachedImages.Registries of(
      DockerImages engine, MavenSession session, SettingsDecrypter decrypter) {
    Supplier<ImageTransfer> transfer =
        () -> {
          if (engine instanceof MavenDockerImages docker) {
            return docker.transfer();
          }
          throw new CachedImageException("this engine client cannot pull or push");
        };
    return new CachedImages.Registries(transfer, () -> credentials(session, decrypter));
  }

  /** settings.xml first, then the docker CLI's configuration; none means anonymous. */
  static RegistryCredentials credentials(MavenSession session, SettingsDecrypter decrypter) {
    return new RegistryCredentials(
        List.of(
            new MavenSettingsCredentials(session == null ? null : session.getSettings(), decrypter),
            DockerConfigCredentials.fromEnvironment()));
  }
}
