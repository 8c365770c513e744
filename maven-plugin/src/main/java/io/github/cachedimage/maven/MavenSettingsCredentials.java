package io.github.cachedimage.maven;

import io.github.cachedimage.core.registry.CredentialSource;
import io.github.cachedimage.core.registry.Credentials;
import java.util.Optional;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Registry credentials the Maven way: the {@code settings.xml} {@code <server>} whose id is the
 * registry host ({@code ghcr.io}, {@code localhost:5000}), its password decrypted as Maven does.
 */
final class MavenSettingsCredentials implements CredentialSource {
  private final Settings settings;
  private final SettingsDecrypter decrypter;

  MavenSettingsCredentials(Settings settings, SettingsDecrypter decrypter) {
    this.settings = settings;
    this.decrypter = decrypter;
  }

  @Override
  public Optional<Credentials> find(String registry) {
    Server server = settings == null ? null : settings.getServer(registry);
    if (server == null || server.getUsername() == null) {
      return Optional.empty();
    }
    if (decrypter != null) {
      SettingsDecryptionResult result =
          decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
      for (SettingsProblem problem : result.getProblems()) {
        if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
          // the problem's own message names the server, never the password
          throw new io.github.cachedimage.core.base.CachedImageException(
              "settings.xml server '"
                  + registry
                  + "': cannot decrypt its password ("
                  + problem.getMessage()
                  + "). Check settings-security.xml (mvn --encrypt-master-password).");
        }
      }
      server = result.getServer();
    }
    return Optional.of(
        new Credentials(
            server.getUsername(),
            server.getPassword(),
            "settings.xml server '" + server.getId() + "'"));
  }

  @Override
  public String describe() {
    return "settings.xml <server> entries";
  }
}
