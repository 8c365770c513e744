package io.github.cachedimage.core.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the engine the way the docker CLI does: {@code DOCKER_HOST} (with {@code DOCKER_TLS_VERIFY}
 * and {@code DOCKER_CERT_PATH}), else the context named by {@code DOCKER_CONTEXT}, else the {@code
 * currentContext} of {@code $DOCKER_CONFIG/config.json} (default {@code ~/.docker}), whose endpoint
 * is in {@code contexts/meta/<sha256 of name>/meta.json} and TLS material under {@code
 * contexts/tls/<sha256 of name>/docker/}; else the default socket. Docker Desktop, Colima, Rancher
 * Desktop and OrbStack all select their engine through such a context.
 *
 * <p>This runs on the plugin's cold no-op path, and every Docker Desktop user has a current
 * context: the two small files the CLI writes are read with patterns, not Jackson (a first
 * ObjectMapper costs hundreds of milliseconds of class loading here, a pattern a few).
 */
public final class DockerEndpoints {
  private static final Pattern CURRENT_CONTEXT =
      Pattern.compile("\"currentContext\"\\s*:\\s*\"([^\"\\\\]*)\"");
  // the docker endpoint's object holds only scalars: Host, SkipTLSVerify
  private static final Pattern DOCKER_ENDPOINT =
      Pattern.compile("\"docker\"\\s*:\\s*\\{([^{}]*)\\}");
  private static final Pattern HOST = Pattern.compile("\"Host\"\\s*:\\s*\"([^\"\\\\]*)\"");
  private static final Pattern SKIP_TLS_VERIFY = Pattern.compile("\"SkipTLSVerify\"\\s*:\\s*true");

  private DockerEndpoints() {}

  /** For this process: its environment and {@code user.home}. */
  public static DockerEndpoint fromEnvironment() {
    return resolve(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * @param env the environment ({@code System.getenv()} in production)
   * @param userHome the user's home, for {@code ~/.docker}
   * @throws DockerUnavailableException if a named context does not exist or cannot be read
   */
  public static DockerEndpoint resolve(Map<String, String> env, Path userHome) {
    String host = env.get("DOCKER_HOST");
    Path config = configDirectory(env, userHome);
    if (present(host)) {
      requireAddress(host.strip());
      boolean tls = present(env.get("DOCKER_TLS_VERIFY")); // the CLI: any non-empty value
      String certPath = env.get("DOCKER_CERT_PATH");
      Path certs = present(certPath) ? Path.of(certPath) : tls ? config : null;
      if (tls && !Files.isRegularFile(certs.resolve("ca.pem"))) {
        throw new DockerUnavailableException(
            "DOCKER_TLS_VERIFY is set, but "
                + (present(certPath) ? "DOCKER_CERT_PATH " : "the docker configuration directory ")
                + certs
                + " has no ca.pem. Point DOCKER_CERT_PATH at the directory with ca.pem, cert.pem"
                + " and key.pem, or unset DOCKER_TLS_VERIFY for an engine without TLS.");
      }
      return new DockerEndpoint(host.strip(), tls, certs, null, "DOCKER_HOST");
    }
    String context = env.get("DOCKER_CONTEXT");
    String source = "DOCKER_CONTEXT";
    if (!present(context)) {
      context = currentContext(config.resolve("config.json"));
      source = "currentContext in " + config.resolve("config.json");
    }
    if (!present(context) || context.equals("default")) {
      return new DockerEndpoint(defaultHost(), false, null, "default", "the default socket");
    }
    return fromContext(config, context.strip(), source);
  }

  /** The schemes the docker CLI takes in {@code DOCKER_HOST}. */
  private static final Pattern ADDRESS = Pattern.compile("(unix|tcp|npipe|ssh|fd)://\\S+");

  /**
   * A {@code DOCKER_HOST} that no client can use fails here, naming the value; the engine clients
   * would fail on it with a bare exception.
   */
  private static void requireAddress(String host) {
    boolean valid = ADDRESS.matcher(host).matches();
    if (valid && host.startsWith("tcp://")) {
      try {
        valid = new java.net.URI(host).getHost() != null;
      } catch (java.net.URISyntaxException e) {
        valid = false;
      }
    }
    if (!valid) {
      throw new DockerUnavailableException(
          "DOCKER_HOST '"
              + host
              + "' is not an engine address: expected unix:///var/run/docker.sock,"
              + " tcp://HOST:PORT, ssh://USER@HOST or npipe:////./pipe/docker_engine. Fix"
              + " DOCKER_HOST, or unset it to use the docker CLI's current context.");
    }
  }

  /** {@code $DOCKER_CONFIG}, else {@code ~/.docker}. */
  static Path configDirectory(Map<String, String> env, Path userHome) {
    String dir = env.get("DOCKER_CONFIG");
    return present(dir) ? Path.of(dir) : userHome.resolve(".docker");
  }

  private static String defaultHost() {
    return System.getProperty("os.name", "").startsWith("Windows")
        ? "npipe:////./pipe/docker_engine"
        : DockerEndpoint.DEFAULT_UNIX_HOST;
  }

  /** The config's current context; most configs have none, so JSON is parsed only if named. */
  private static String currentContext(Path configJson) {
    String text;
    try {
      text = Files.readString(configJson, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new DockerUnavailableException(
          "cannot read the docker CLI configuration "
              + configJson
              + " ("
              + e.getMessage()
              + "). Fix its permissions, or set DOCKER_HOST to the engine's address.",
          e);
    }
    if (!text.contains("\"currentContext\"")) {
      return null;
    }
    Matcher m = CURRENT_CONTEXT.matcher(text);
    if (!m.find()) {
      throw new DockerUnavailableException(
          configJson
              + ": \"currentContext\" is not a plain JSON string. Fix or remove it (docker context"
              + " use default), or set DOCKER_HOST to the engine's address.");
    }
    return m.group(1);
  }

  private static DockerEndpoint fromContext(Path config, String name, String source) {
    String id = sha256(name);
    Path meta = config.resolve("contexts").resolve("meta").resolve(id).resolve("meta.json");
    String text;
    try {
      text = Files.readString(meta, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DockerUnavailableException(
          "docker context '"
              + name
              + "' (from "
              + source
              + ") does not exist: no "
              + meta
              + ". Run 'docker context ls' and 'docker context use <name>' with one that exists,"
              + " or set DOCKER_HOST to the engine's address.");
    } catch (IOException e) {
      throw new DockerUnavailableException(
          "cannot read docker context '" + name + "' (" + meta + "): " + e.getMessage(), e);
    }
    Matcher endpoint = DOCKER_ENDPOINT.matcher(text);
    Matcher hostMatch = endpoint.find() ? HOST.matcher(endpoint.group(1)) : null;
    if (hostMatch == null || !hostMatch.find() || hostMatch.group(1).isBlank()) {
      throw new DockerUnavailableException(
          "docker context '"
              + name
              + "' ("
              + meta
              + ") has no docker endpoint. Recreate it with 'docker context create "
              + name
              + " --docker host=...', or set DOCKER_HOST to the engine's address.");
    }
    String host = hostMatch.group(1);
    Path tls = config.resolve("contexts").resolve("tls").resolve(id).resolve("docker");
    boolean hasTls = Files.isDirectory(tls);
    if (hasTls && SKIP_TLS_VERIFY.matcher(endpoint.group(1)).find()) {
      throw new DockerUnavailableException(
          "docker context '"
              + name
              + "' uses TLS without verifying the engine's certificate (skip-tls-verify), which"
              + " cached-image does not support. Recreate the context with the engine's CA"
              + " ('docker context create "
              + name
              + " --docker host="
              + host
              + ",ca=...,cert=...,key=...').");
    }
    return new DockerEndpoint(
        host, hasTls, hasTls ? tls : null, name, "docker context '" + name + "' (" + source + ")");
  }

  /** The docker CLI stores a context under the hex SHA-256 of its name. */
  static String sha256(String name) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }
}
