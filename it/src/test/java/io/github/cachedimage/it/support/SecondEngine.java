package io.github.cachedimage.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A second Docker engine beside the test engine, for tests of engine selection: its own data root,
 * exec root, socket, pidfile and bridge interface (a second daemon with {@code --bridge=none} would
 * delete the first one's {@code docker0}), the containerd image store, and optionally a TLS {@code
 * tcp://} listener on loopback. {@link #close()} stops it and removes its bridge and files.
 */
public final class SecondEngine implements AutoCloseable {
  private static final Path PREFIX = Path.of("/opt/cached-image-engine");

  private final Path directory;
  private final Path data;
  private final Path socket;
  private final String bridge;
  private final ProcessBuilder dockerd;
  private final Path log;
  private Process process;

  private SecondEngine(
      Path directory, Path data, Path socket, String bridge, ProcessBuilder dockerd, Path log) {
    this.directory = directory;
    this.data = data;
    this.socket = socket;
    this.bridge = bridge;
    this.dockerd = dockerd;
    this.log = log;
  }

  /** The dockerd that {@code scripts/docker-engine} unpacked, if this machine has it. */
  public static Optional<Path> dockerd() {
    return java.util.stream.Stream.of("usr/sbin/dockerd", "usr/bin/dockerd")
        .map(PREFIX::resolve)
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Starts one and waits until it answers.
   *
   * @param tls a TLS listener: its port and the directory with {@code ca.pem}, {@code
   *     server-cert.pem}, {@code server-key.pem}; or {@code null}
   */
  public static SecondEngine start(Path directory, Tls tls) throws IOException {
    Path dockerd = dockerd().orElseThrow(() -> new IllegalStateException("no " + PREFIX));
    Files.createDirectories(directory);
    // Unix socket paths are limited to ~108 bytes: the socket and exec root live under /tmp.
    Path run = Files.createTempDirectory(Path.of("/tmp"), "ci2-");
    Path socket = run.resolve("docker.sock");
    String bridge = "ci2br" + (ProcessHandle.current().pid() % 10000);
    Processes.run(List.of("ip", "link", "add", bridge, "type", "bridge"), Duration.ofSeconds(10))
        .requireSuccess();
    Processes.run(List.of("ip", "link", "set", bridge, "up"), Duration.ofSeconds(10))
        .requireSuccess();
    Path config = directory.resolve("daemon.json");
    Files.writeString(config, "{\"features\": {\"containerd-snapshotter\": true}}\n");
    List<String> command =
        new ArrayList<>(
            List.of(
                "setsid",
                dockerd.toString(),
                "--data-root",
                directory.resolve("data").toString(),
                "--exec-root",
                run.resolve("exec").toString(),
                "--pidfile",
                run.resolve("dockerd.pid").toString(),
                "--config-file",
                config.toString(),
                "-H",
                "unix://" + socket,
                "--bridge",
                bridge,
                "--iptables=false",
                "--ip6tables=false",
                "--init-path",
                PREFIX.resolve("usr/bin/tini-static").toString()));
    if (tls != null) {
      command.addAll(
          List.of(
              "-H",
              "tcp://127.0.0.1:" + tls.port(),
              "--tlsverify",
              "--tlscacert",
              tls.directory().resolve("ca.pem").toString(),
              "--tlscert",
              tls.directory().resolve("server-cert.pem").toString(),
              "--tlskey",
              tls.directory().resolve("server-key.pem").toString()));
    }
    Path log = directory.resolve("dockerd.log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment()
        .put("PATH", PREFIX + "/usr/bin:" + PREFIX + "/usr/sbin:" + pb.environment().get("PATH"));
    SecondEngine engine = new SecondEngine(run, directory.resolve("data"), socket, bridge, pb, log);
    engine.process = pb.start();
    engine.awaitReady(directory);
    return engine;
  }

  /**
   * Stops the engine as {@code systemctl stop docker} or quitting Docker Desktop would, mid-work if
   * it is busy (SIGTERM: dockerd cancels builds and stops its containerd), keeping its data; {@link
   * #restart()} brings it back.
   */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the engine again on the same data, after {@link #stop()}. */
  public void restart() throws IOException {
    process = dockerd.start();
    awaitReady(directory);
  }

  /** {@code ctr} against this engine's containerd, in the engine's namespace. */
  public Processes.Result ctr(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                PREFIX.resolve("usr/bin/ctr").toString(),
                "-a",
                directory.resolve("exec/containerd/containerd.sock").toString(),
                "-n",
                "moby"));
    command.addAll(List.of(args));
    return Processes.run(command, Duration.ofMinutes(1));
  }

  /** A TLS listener's port and server material. */
  public record Tls(int port, Path directory) {}

  private void awaitReady(Path directory) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        close();
        throw new IllegalStateException(
            "the second dockerd exited: " + Files.readString(log).lines().reduce("", (a, b) -> b));
      }
      if (docker("version", "--format", "{{.Server.Version}}").exitCode() == 0) {
        return;
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException("the second dockerd did not answer within 90 s; see " + log);
  }

  /** {@code unix:///tmp/ci2-.../docker.sock} */
  public String host() {
    return "unix://" + socket;
  }

  /** The docker CLI against this engine. */
  public Processes.Result docker(String... args) {
    List<String> command = new ArrayList<>(List.of("docker", "-H", host()));
    command.addAll(List.of(args));
    return Processes.run(command, Duration.ofMinutes(3), null, Map.of());
  }

  /** The image ID this engine has for a reference, if any. */
  public Optional<String> imageId(String reference) {
    Processes.Result r = docker("image", "inspect", "--format", "{{.Id}}", reference);
    return r.exitCode() == 0 ? Optional.of(r.output().strip()) : Optional.empty();
  }

  /** Copies an image from the test engine, as a registry would: {@code docker save | load}. */
  public void copyFromTestEngine(String reference) {
    Processes.run(
            List.of(
                "sh",
                "-c",
                "docker save \"$1\" | docker -H \"$2\" load",
                "copy",
                reference,
                host()),
            Duration.ofMinutes(3))
        .requireSuccess();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: dockerd stops its containerd itself
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Processes.run(List.of("ip", "link", "del", bridge), Duration.ofSeconds(10));
    Processes.run(
        List.of("rm", "-rf", directory.toString(), data.toString()), Duration.ofSeconds(60));
  }
}
