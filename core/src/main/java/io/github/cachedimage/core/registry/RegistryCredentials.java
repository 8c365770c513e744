package io.github.cachedimage.core.registry;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The credential sources in the order they are asked; the first that has credentials wins. */
public final class RegistryCredentials {
  private final List<CredentialSource> sources;

  public RegistryCredentials(List<CredentialSource> sources) {
    this.sources = List.copyOf(sources);
  }

  /** Credentials for a registry host, or empty (anonymous). */
  public Optional<Credentials> find(String registry) {
    for (CredentialSource source : sources) {
      Optional<Credentials> found = source.find(registry);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** What to say when a registry wants credentials and no source has any. */
  public String noCredentialsMessage(String registry) {
    return HelpfulSuggestions.noRegistryCredentials(
        registry,
        sources.stream().map(CredentialSource::describe).collect(Collectors.joining(", ")));
  }
}
