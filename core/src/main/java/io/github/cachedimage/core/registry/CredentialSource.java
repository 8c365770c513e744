package io.github.cachedimage.core.registry;

import java.util.Optional;

/**
 * One place registry credentials may come from (Maven's settings.xml, the docker CLI's config). The
 * adapters supply their own; {@link RegistryCredentials} asks them in order.
 */
public interface CredentialSource {
  /**
   * Credentials for a registry host as {@link ImageReference#registry()} names it ({@code ghcr.io},
   * {@code docker.io}, {@code 127.0.0.1:5000}), or empty when this source has none.
   */
  Optional<Credentials> find(String registry);

  /** What this source is, for "tried: ..." messages ({@code settings.xml <server> entries}). */
  String describe();
}
