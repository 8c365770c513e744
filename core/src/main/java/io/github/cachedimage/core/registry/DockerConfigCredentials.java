package io.github.cachedimage.core.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cachedimage.core.base.CachedImageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The credentials {@code docker login} stored, read as the docker CLI reads them from {@code
 * config.json}: a registry's {@code credHelpers} entry, else the {@code credsStore}, each asked
 * through {@code docker-credential-<name> get}; then the {@code auths} entries. A missing file
 * means no credentials. Helper output and file contents never appear in exception messages: they
 * may hold the secret.
 */
public final class DockerConfigCredentials implements CredentialSource {
  /** Docker Hub's key in config.json and for credential helpers. */
  static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

  private static final long HELPER_TIMEOUT_SECONDS = 30;

  private final Path config;
  private final Function<List<String>, ProcessBuilder> processes;

  /**
   * @param configDirectory the docker CLI's config directory ({@code ~/.docker}, {@code
   *     $DOCKER_CONFIG}), holding {@code config.json}
   * @param processes how to run a credential helper (the seam unit tests use)
   */
  public DockerConfigCredentials(
      Path configDirectory, Function<List<String>, ProcessBuilder> processes) {
    this.config = configDirectory.resolve("config.json");
    this.processes = processes;
  }

  /** The config directory the docker CLI uses: {@code $DOCKER_CONFIG}, else {@code ~/.docker}. */
  public static DockerConfigCredentials fromEnvironment() {
    String env = System.getenv("DOCKER_CONFIG");
    Path directory =
        env != null && !env.isBlank()
            ? Path.of(env)
            : Path.of(System.getProperty("user.home"), ".docker");
    return new DockerConfigCredentials(directory, ProcessBuilder::new);
  }

  @Override
  public String describe() {
    return "docker config " + config;
  }

  @Override
  public Optional<Credentials> find(String registry) {
    Optional<JsonNode> root = read();
    if (root.isEmpty()) {
      return Optional.empty();
    }
    String server = serverAddress(registry);
    JsonNode helpers = root.get().path("credHelpers");
    String helper = text(helpers.get(server));
    if (helper == null) {
      helper = text(helpers.get(registry));
    }
    if (helper != null) {
      return fromHelper(helper, server, "credHelpers");
    }
    String store = text(root.get().get("credsStore"));
    if (store != null) {
      Optional<Credentials> stored = fromHelper(store, server, "credsStore");
      if (stored.isPresent()) {
        return stored;
      }
    }
    return fromAuths(root.get().path("auths"), registry);
  }

  /** How the docker CLI names a registry to helpers and in auths: Docker Hub by its index URL. */
  static String serverAddress(String registry) {
    return registry.equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_SERVER : registry;
  }

  private Optional<JsonNode> read() {
    try {
      return Optional.of(Json.MAPPER.readTree(Files.readAllBytes(config)));
    } catch (NoSuchFileException missing) {
      return Optional.empty();
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the text it choked on, which may be a secret: position only
      throw new CachedImageException(
          "cannot read docker config "
              + config
              + ": not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + "); fix it or run docker login again");
    } catch (IOException e) {
      throw new CachedImageException(
          "cannot read docker config " + config + " (" + e + "); fix its permissions", e);
    }
  }

  private Optional<Credentials> fromAuths(JsonNode auths, String registry) {
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!registryOfKey(entry.getKey()).equals(registry)) {
        continue;
      }
      Optional<Credentials> found = fromAuthEntry(entry.getKey(), entry.getValue());
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /**
   * {@code https://host/v1/}, {@code http://host}, {@code host} -> {@code host}, Hub as docker.io.
   */
  static String registryOfKey(String key) {
    String host = key;
    if (host.startsWith("https://")) {
      host = host.substring("https://".length());
    } else if (host.startsWith("http://")) {
      host = host.substring("http://".length());
    }
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      return ImageReference.DOCKER_HUB;
    }
    return host;
  }

  private Optional<Credentials> fromAuthEntry(String key, JsonNode entry) {
    String source = "docker config " + config + " (auths '" + key + "')";
    String token = text(entry.get("identitytoken"));
    if (token != null) {
      return Optional.of(new Credentials("<token>", token, source));
    }
    String auth = text(entry.get("auth"));
    if (auth != null) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new CachedImageException(
            "cannot read docker config "
                + config
                + ": auths '"
                + key
                + "' has an \"auth\" that is not base64; run docker login "
                + key
                + " again");
      }
      int colon = decoded.indexOf(':');
      if (colon <= 0) {
        throw new CachedImageException(
            "cannot read docker config "
                + config
                + ": auths '"
                + key
                + "' has an \"auth\" that is not user:password in base64; run docker login "
                + key
                + " again");
      }
      return Optional.of(
          new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1), source));
    }
    String username = text(entry.get("username"));
    String password = text(entry.get("password"));
    if (username != null && password != null) {
      return Optional.of(new Credentials(username, password, source));
    }
    // an empty entry: docker login wrote the secret to a credsStore
    return Optional.empty();
  }

  private Optional<Credentials> fromHelper(String name, String server, String setting) {
    String program = "docker-credential-" + name;
    String source = "docker config " + config + " (" + setting + " '" + name + "')";
    String failure = "docker credential helper " + program + " (" + setting + " in " + config + ")";
    Process process;
    try {
      process =
          processes
              .apply(List.of(program, "get"))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new CachedImageException(
          failure
              + " cannot be run ("
              + e.getMessage()
              + "); install it on the PATH or remove "
              + setting
              + " from the config");
    }
    try {
      // read stdout while writing stdin, so a helper that answers early cannot block on a full pipe
      CompletableFuture<byte[]> output =
          CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      try (OutputStream in = process.getOutputStream()) {
        in.write(server.getBytes(StandardCharsets.UTF_8));
      } catch (IOException closedEarly) {
        // a helper may exit without reading its input; its exit code tells
      }
      if (!process.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CachedImageException(
            failure
                + " did not answer within "
                + HELPER_TIMEOUT_SECONDS
                + " s; check that its store is unlocked (e.g. 'pass' or the keychain)");
      }
      byte[] stdout = output.join();
      if (process.exitValue() != 0) {
        // "credentials not found in native keychain" and its kind: this helper has none
        return Optional.empty();
      }
      return parseHelperOutput(stdout, failure, source, program, server);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CachedImageException(failure + " was interrupted");
    }
  }

  private static Optional<Credentials> parseHelperOutput(
      byte[] stdout, String failure, String source, String program, String server) {
    String text = new String(stdout, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()
        || text.toLowerCase(java.util.Locale.ROOT).contains("credentials not found")) {
      return Optional.empty();
    }
    JsonNode answer;
    try {
      answer = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CachedImageException(
          failure
              + " answered something other than JSON; check it by hand with 'echo "
              + server
              + " | "
              + program
              + " get'");
    }
    String username = text(answer.get("Username"));
    String secret = text(answer.get("Secret"));
    if (secret == null) {
      return Optional.empty();
    }
    return Optional.of(new Credentials(username == null ? "" : username, secret, source));
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
  }

  /**
   * Created on first use: these classes are loaded on every build goal run, the up-to-date path
   * included, and a first ObjectMapper costs hundreds of milliseconds of class loading there.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
