package io.github.cachedimage.it.support;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.maven.shared.verifier.VerificationException;
import org.apache.maven.shared.verifier.Verifier;

/**
 * A copy of one sample project under {@code it/samples/}, built by real Maven (forked, through
 * maven-verifier) with this build's artifacts: {@code @project.version@} in its POMs is replaced by
 * the version under test, the local repository is the one invoker:install filled, and the user's
 * {@code ~/.m2} is a file:// mirror for third-party artifacts (nothing re-downloads).
 *
 * <pre>{@code
 * MavenSample sample = MavenSample.copy("build-basic");
 * MavenSample.Run run = sample.run("verify", "-Dcachedimage.cacheTo=type=local,dest=/tmp/c");
 * run.assertSuccess().assertLogContains("up to date");
 * }</pre>
 *
 * Each copy gets its own default cache directory ({@code -Dcachedimage.cacheDirectory}), so tests
 * never share or touch {@code ~/.cache/cached-image}.
 */
public final class MavenSample {
  private static final AtomicInteger COPIES = new AtomicInteger();
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final Path directory;
  private final Path cacheDirectory;
  private final Map<String, String> environment = new LinkedHashMap<>();
  private final List<String> servers = new ArrayList<>();

  private MavenSample(Path directory, Path cacheDirectory) {
    this.directory = directory;
    this.cacheDirectory = cacheDirectory;
  }

  /** Copies {@code it/samples/<name>} to a fresh directory under {@code it/target/it-work}. */
  public static MavenSample copy(String name) throws IOException {
    return copy(ItPaths.samples().resolve(name));
  }

  /** Copies a sample project from anywhere (e.g. {@code it/samples-gha/<name>}), likewise. */
  public static MavenSample copy(Path source) throws IOException {
    String name = source.getFileName().toString();
    if (!Files.isDirectory(source)) {
      throw new IllegalArgumentException("no sample " + source);
    }
    Path target =
        ItPaths.work()
            .resolve(name + "-" + ProcessHandle.current().pid() + "-" + COPIES.incrementAndGet());
    deleteTree(target);
    try (Stream<Path> files = Files.walk(source)) {
      for (Path from : files.toList()) {
        Path to = target.resolve(source.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
          if (from.getFileName().toString().equals("pom.xml")) {
            Files.writeString(
                to,
                Files.readString(to, StandardCharsets.UTF_8)
                    .replace("@project.version@", ItPaths.version()),
                StandardCharsets.UTF_8);
          }
        }
      }
    }
    return new MavenSample(target, target.resolveSibling(target.getFileName() + "-cache"));
  }

  public Path directory() {
    return directory;
  }

  /** This copy's default cache root ({@code -Dcachedimage.cacheDirectory}). */
  public Path cacheDirectory() {
    return cacheDirectory;
  }

  /** Sets an environment variable for every later run (e.g. {@code PATH}, {@code DOCKER_HOST}). */
  public MavenSample environment(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /**
   * Adds a {@code settings.xml} {@code <server>} (for registry credentials) to this copy's own
   * settings file; the password may be Maven-encrypted ({@code {...}}).
   */
  public MavenSample server(String id, String username, String password) {
    servers.add(
        "    <server><id>"
            + id
            + "</id><username>"
            + username
            + "</username><password>"
            + password
            + "</password></server>");
    return this;
  }

  /** Removes an environment variable set with {@link #environment}. */
  public MavenSample withoutEnvironment(String name) {
    environment.remove(name);
    return this;
  }

  public Path file(String relative) {
    return directory.resolve(relative);
  }

  /** Writes a file of the sample (creating directories). */
  public MavenSample write(String relative, String content) throws IOException {
    Path file = file(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return this;
  }

  /** The record the plugin wrote for an image, if any. */
  public Optional<BuildRecord> record(String image) {
    return new RecordStore(directory.resolve(RecordStore.DEFAULT_DIRECTORY), image).record();
  }

  /** Runs Maven with these arguments (goals, -D options) through maven-verifier, forked. */
  public Run run(String... arguments) throws IOException {
    Path settings = settings();
    String logName = "log-" + RUNS.incrementAndGet() + ".txt";
    List<String> args = new ArrayList<>(List.of("-B", "-s", settings.toString()));
    args.add("-Dcachedimage.cacheDirectory=" + cacheDirectory);
    args.addAll(List.of(arguments));
    long start = System.nanoTime();
    boolean success;
    try {
      Verifier verifier = new Verifier(directory.toString());
      verifier.setForkJvm(true);
      verifier.setAutoclean(false);
      verifier.setLocalRepo(ItPaths.itRepository().toString());
      verifier.setLogFileName(logName);
      environment.forEach(verifier::setEnvironmentVariable);
      verifier.addCliArguments(args.toArray(String[]::new));
      verifier.execute();
      success = true;
    } catch (VerificationException e) {
      success = false;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Path log = directory.resolve(logName);
    String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    return new Run(success, text, log, took);
  }

  /**
   * Runs {@code mvn} directly as a process with a command prefix (e.g. {@code setpriv} to drop
   * capabilities), for the few cases maven-verifier cannot express.
   */
  public Run runWithPrefix(List<String> prefix, String... arguments) throws IOException {
    Path settings = settings();
    Path log = directory.resolve("log-" + RUNS.incrementAndGet() + ".txt");
    List<String> command = new ArrayList<>(prefix);
    command.add(ItPaths.mavenHome().resolve("bin/mvn").toString());
    command.addAll(
        List.of(
            "-B",
            "-s",
            settings.toString(),
            "-Dmaven.repo.local=" + ItPaths.itRepository(),
            "-Dcachedimage.cacheDirectory=" + cacheDirectory));
    command.addAll(List.of(arguments));
    long start = System.nanoTime();
    Processes.Result r = Processes.run(command, Duration.ofMinutes(10), directory, environment);
    Files.writeString(log, r.output());
    return new Run(r.exitCode() == 0, r.output(), log, Duration.ofNanos(System.nanoTime() - start));
  }

  private Path settings() throws IOException {
    Path shared = sharedSettings();
    if (servers.isEmpty()) {
      return shared;
    }
    Path own = directory.resolveSibling(directory.getFileName() + "-settings.xml");
    Files.writeString(
        own,
        Files.readString(shared)
            .replace(
                "</settings>",
                "  <servers>\n" + String.join("\n", servers) + "\n  </servers>\n</settings>"));
    return own;
  }

  private static Path sharedSettings() throws IOException {
    Path settings = ItPaths.work().resolve("settings.xml");
    if (!Files.exists(settings)) {
      Files.createDirectories(settings.getParent());
      Path temp = Files.createTempFile(settings.getParent(), "settings", ".xml");
      Files.writeString(
          temp,
          String.join(
              "\n",
              "<settings>",
              "  <mirrors>",
              "    <mirror>",
              "      <id>user-repository</id>",
              "      <mirrorOf>*</mirrorOf>",
              "      <url>" + ItPaths.userRepository().toUri() + "</url>",
              "    </mirror>",
              "  </mirrors>",
              "</settings>",
              ""));
      Files.move(
          temp, settings, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    return settings;
  }

  /** Deletes the sample's {@code target/} (a fresh checkout has none). */
  public static void deleteRecords(MavenSample sample) throws IOException {
    deleteTree(sample.directory().resolve("target"));
  }

  public static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One Maven run: whether it succeeded, and its log. */
  public record Run(boolean success, String log, Path logFile, Duration took) {

    public Run assertSuccess() {
      if (!success) {
        throw new AssertionError("Maven failed; log " + logFile + ":\n" + tail(80));
      }
      return this;
    }

    public Run assertFailure() {
      if (success) {
        throw new AssertionError(
            "Maven succeeded but should have failed; log " + logFile + ":\n" + tail(40));
      }
      return this;
    }

    public Run assertLogContains(String text) {
      if (!log.contains(text)) {
        throw new AssertionError("log " + logFile + " lacks\n  " + text + "\n" + tail(60));
      }
      return this;
    }

    public Run assertLogLacks(String text) {
      if (log.contains(text)) {
        throw new AssertionError(
            "log " + logFile + " should not contain\n  " + text + "\n" + tail(60));
      }
      return this;
    }

    /** Log lines containing the text. */
    public List<String> linesContaining(String text) {
      return log.lines().filter(l -> l.contains(text)).toList();
    }

    public String tail(int lines) {
      List<String> all = log.lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
  }
}
