package io.github.cachedimage.it.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real registry (Debian's {@code docker-registry}, Distribution 2.8) on a free loopback port, for
 * {@code type=registry} caches. The engine accepts plain HTTP on 127.0.0.0/8. Started detached with
 * its output in a log file (it must not hold the CI's output open) and stopped by {@link #close()}.
 *
 * <pre>{@code
 * try (LocalRegistry registry = LocalRegistry.start(workDir)) {
 *   String ref = registry.address() + "/greeter:cache"; // 127.0.0.1:PORT/greeter:cache
 * }
 * // with htpasswd auth, for the credential paths
 * try (LocalRegistry registry = LocalRegistry.startWithHtpasswd(workDir, "ci-user", password)) {
 *   ...
 * }
 * }</pre>
 */
public final class LocalRegistry implements AutoCloseable {
  public static final String BINARY = "docker-registry";

  private final Process process;
  private final int port;
  private final Path log;

  private LocalRegistry(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Whether the registry binary is installed ({@code apt-get install docker-registry}). */
  public static boolean available() {
    return Processes.run(List.of("sh", "-c", "command -v " + BINARY), Duration.ofSeconds(10))
            .exitCode()
        == 0;
  }

  /** Whether {@code htpasswd} is installed ({@code apt-get install apache2-utils}). */
  public static boolean htpasswdAvailable() {
    return Processes.run(List.of("sh", "-c", "command -v htpasswd"), Duration.ofSeconds(10))
            .exitCode()
        == 0;
  }

  public static LocalRegistry start(Path directory) throws IOException {
    return start(directory, List.of());
  }

  /**
   * A registry that wants {@code user} and {@code password} (htpasswd, bcrypt): it answers 401 with
   * {@code WWW-Authenticate: Basic realm="cached-image-test"} until they are given. Distribution
   * 2.8 accepts htpasswd over plain HTTP (its docs ask for TLS, the code does not), and the engine
   * sends credentials to loopback registries over HTTP, so no certificate is needed.
   */
  public static LocalRegistry startWithHtpasswd(Path directory, String user, String password)
      throws IOException {
    Files.createDirectories(directory);
    Path htpasswd = directory.resolve("htpasswd");
    // -i: the password on stdin, not on the command line where ps would show it
    Processes.Result hashed =
        Processes.runWithInput(
                List.of("htpasswd", "-Bin", user), password, Duration.ofSeconds(30), Map.of())
            .requireSuccess();
    String line =
        hashed.output().lines().filter(l -> l.startsWith(user + ":")).findFirst().orElseThrow();
    Files.writeString(htpasswd, line + "\n");
    return start(
        directory,
        List.of("auth:", "  htpasswd:", "    realm: cached-image-test", "    path: " + htpasswd));
  }

  private static LocalRegistry start(Path directory, List<String> extraConfig) throws IOException {
    Files.createDirectories(directory);
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path config = directory.resolve("config.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "version: 0.1",
            "log:",
            "  level: warn",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + directory.resolve("data"),
            "  delete:",
            "    enabled: true",
            "http:",
            "  addr: 127.0.0.1:" + port,
            String.join("\n", extraConfig),
            ""));
    Path log = directory.resolve("registry.log");
    Process process =
        new ProcessBuilder("setsid", BINARY, "serve", config.toString())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    LocalRegistry registry = new LocalRegistry(process, port, log);
    registry.awaitReady(Duration.ofSeconds(30));
    return registry;
  }

  private void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited:\n" + Files.readString(log));
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create("http://" + address() + "/v2/").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        // 401: up, and asking for the htpasswd credentials
        int status = c.getResponseCode();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException(
        "docker-registry did not answer within " + timeout + ":\n" + Files.readString(log));
  }

  /** {@code 127.0.0.1:PORT}, to prefix repository names. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
