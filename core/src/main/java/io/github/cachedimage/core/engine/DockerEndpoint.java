package io.github.cachedimage.core.engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Docker engine, as the docker CLI addresses it: the host URI ({@code unix://}, {@code tcp://},
 * {@code npipe://}, {@code ssh://}) and, for TLS, the directory holding {@code ca.pem}, {@code
 * cert.pem} and {@code key.pem}. The build process and the engine questions are both given the same
 * endpoint, so they cannot talk to different engines.
 *
 * @param host the engine's address, e.g. {@code unix:///var/run/docker.sock}
 * @param tlsVerify whether to verify the engine's TLS certificate (and present the client's)
 * @param certPath the TLS material's directory, or {@code null} (the CLI's default)
 * @param context the docker CLI context it was read from ({@code default} for the default socket),
 *     or {@code null} when it came from {@code DOCKER_HOST} or Testcontainers
 * @param source where it came from, for messages: {@code DOCKER_HOST}, {@code docker context
 *     'colima'}, {@code Testcontainers}, {@code the default socket}
 */
public record DockerEndpoint(
    String host, boolean tlsVerify, Path certPath, String context, String source) {

  /** The engine every Linux and macOS CLI uses when nothing else is configured. */
  public static final String DEFAULT_UNIX_HOST = "unix:///var/run/docker.sock";

  public DockerEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(source, "source");
  }

  /** A plain endpoint without TLS. */
  public static DockerEndpoint of(String host, String source) {
    return new DockerEndpoint(host, false, null, null, source);
  }

  /** The socket's path when the engine is a local Unix socket. */
  public Optional<Path> unixSocket() {
    return host.startsWith("unix://")
        ? Optional.of(Path.of(host.substring("unix://".length())))
        : Optional.empty();
  }

  /** {@code ssh://}: the docker CLI and buildx can use it, the engine API clients cannot. */
  public boolean isSsh() {
    return host.startsWith("ssh://");
  }

  /**
   * Points a docker CLI process at this endpoint, whatever the caller's environment says. An
   * endpoint read from a context is passed as that context ({@code DOCKER_CONTEXT}), so buildx
   * keeps the builder the user chose for it ({@code docker buildx use}); any other as {@code
   * DOCKER_HOST} with its TLS settings. Either way the CLI resolves the same engine as the caller.
   */
  public void applyTo(Map<String, String> environment) {
    environment.remove("DOCKER_TLS_VERIFY");
    environment.remove("DOCKER_CERT_PATH");
    if (context != null) {
      environment.remove("DOCKER_HOST");
      environment.put("DOCKER_CONTEXT", context);
      return;
    }
    environment.remove("DOCKER_CONTEXT");
    environment.put("DOCKER_HOST", host);
    if (tlsVerify) {
      environment.put("DOCKER_TLS_VERIFY", "1");
    }
    if (certPath != null) {
      environment.put("DOCKER_CERT_PATH", certPath.toString());
    }
  }

  /** {@code tcp://127.0.0.1:2376 (TLS, from docker context 'remote')}, for logs and errors. */
  public String describe() {
    return host + (tlsVerify ? " (TLS, from " : " (from ") + source + ")";
  }
}
