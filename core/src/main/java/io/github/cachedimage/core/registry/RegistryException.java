package io.github.cachedimage.core.registry;

import io.github.cachedimage.core.base.CachedImageException;
import java.util.Objects;

/**
 * A registry that could not answer: {@link Kind} tells a caller whether to warn and build or to ask
 * the user for credentials. Messages name the registry, never a secret.
 */
public class RegistryException extends CachedImageException {
  /** Why the registry did not answer. */
  public enum Kind {
    /** Not reached: connection refused, timeout, unknown host, TLS failure. */
    UNREACHABLE,
    /** Reached, but it refused the credentials (or their absence). */
    UNAUTHORIZED,
    /** Reached, but it answered with an unexpected status or body. */
    FAILED
  }

  private final Kind kind;

  public RegistryException(Kind kind, String message) {
    this(kind, message, null);
  }

  public RegistryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
