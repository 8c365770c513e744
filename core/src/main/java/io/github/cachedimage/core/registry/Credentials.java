package io.github.cachedimage.core.registry;

import java.util.Objects;

/**
 * A user name and its secret (a password or token) for one registry, and where they came from. The
 * secret never leaves this value except to build an {@code Authorization} header: {@link
 * #toString()} masks it, so a value logged or put in a message by mistake leaks nothing.
 *
 * @param username the user name; {@code <token>} for a docker identity token
 * @param secret the password or token
 * @param source where they were found, for messages ({@code settings.xml server 'ghcr.io'})
 */
public record Credentials(String username, String secret, String source) {
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(source, "source");
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", secret=****, source=" + source + "]";
  }
}
