package io.github.cachedimage.core.engine;

import io.github.cachedimage.core.base.BuildxVersion;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link Buildx} through the {@code docker} CLI. Every process goes through one injectable {@code
 * Function<List<String>, ProcessBuilder>}, so tests assert the exact command line (see {@link
 * #buildCommand}) and can stand in a script for {@code docker}.
 */
public final class CliBuildx implements Buildx {

  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);

  /** See {@link #withExportStall}: generous, since a large layer's upload may print nothing. */
  public static final Duration DEFAULT_EXPORT_STALL = Duration.ofMinutes(5);

  private final Function<List<String>, ProcessBuilder> processes;
  private final Duration buildTimeout;
  private final Duration exportStall;
  private final Supplier<DockerEndpoint> endpoint;

  /**
   * The real CLI ({@code docker} from the PATH), builds limited to two hours, every process pointed
   * at {@code endpoint}: the engine the caller asks about its images.
   */
  public CliBuildx(DockerEndpoint endpoint) {
    this(ProcessBuilder::new, Duration.ofHours(2), () -> endpoint);
  }

  /** As {@link #CliBuildx(DockerEndpoint)}, for an endpoint known only when the build starts. */
  public CliBuildx(Supplier<DockerEndpoint> endpoint) {
    this(ProcessBuilder::new, Duration.ofHours(2), endpoint);
  }

  public CliBuildx(
      Function<List<String>, ProcessBuilder> processes,
      Duration buildTimeout,
      Supplier<DockerEndpoint> endpoint) {
    this(processes, buildTimeout, endpoint, DEFAULT_EXPORT_STALL);
  }

  private CliBuildx(
      Function<List<String>, ProcessBuilder> processes,
      Duration buildTimeout,
      Supplier<DockerEndpoint> endpoint,
      Duration exportStall) {
    this.processes = processes;
    this.buildTimeout = buildTimeout;
    this.endpoint = endpoint;
    this.exportStall = exportStall;
  }

  /**
   * How long a cache export may print nothing before the build is stopped and the export counted as
   * failed (default {@link #DEFAULT_EXPORT_STALL}). The image is loaded before BuildKit exports the
   * cache; its {@code type=gha} exporter, given a connection that drops every upload, retries a few
   * times and then waits silently for hours.
   */
  public CliBuildx withExportStall(Duration exportStall) {
    return new CliBuildx(processes, buildTimeout, endpoint, exportStall);
  }

  /** The exact command line of one build, {@code docker buildx build ... <context>}. */
  public static List<String> buildCommand(Invocation invocation) {
    BuildSpec spec = invocation.spec();
    List<String> cmd = new ArrayList<>(List.of("docker", "buildx", "build"));
    if (spec.builder() != null) {
      cmd.add("--builder");
      cmd.add(spec.builder());
    }
    cmd.add("--progress=plain");
    cmd.add("--file");
    cmd.add(spec.dockerfile().toString());
    cmd.add("--metadata-file");
    cmd.add(invocation.metadataFile().toString());
    cmd.add("--load");
    for (String tag : invocation.tags()) {
      cmd.add("--tag");
      cmd.add(tag);
    }
    if (spec.target() != null) {
      cmd.add("--target");
      cmd.add(spec.target());
    }
    if (spec.platform() != null) {
      cmd.add("--platform");
      cmd.add(spec.platform());
    }
    for (Map.Entry<String, String> arg : spec.buildArgs().entrySet()) {
      cmd.add("--build-arg");
      cmd.add(arg.getKey() + "=" + arg.getValue());
    }
    for (Map.Entry<String, String> label : spec.labels().entrySet()) {
      cmd.add("--label");
      cmd.add(label.getKey() + "=" + label.getValue());
    }
    for (SecretSpec secret : spec.secrets()) {
      cmd.add("--secret");
      cmd.add(secret.toBuildxArgument());
    }
    for (CacheSpec from : invocation.cacheFrom()) {
      cmd.add("--cache-from");
      cmd.add(from.toBuildxArgument());
    }
    for (CacheSpec to : invocation.cacheTo()) {
      cmd.add("--cache-to");
      cmd.add(to.toBuildxArgument());
    }
    if (spec.pull()) {
      cmd.add("--pull");
    }
    if (spec.noCache()) {
      cmd.add("--no-cache");
    }
    cmd.add(spec.contextDirectory().toString());
    return cmd;
  }

  /**
   * {@code docker buildx version} and {@code inspect}, started together: each is a CLI process of a
   * few hundred milliseconds on a small machine, on the build's critical path. The engine's own
   * facts (image store, version) come from its API instead; see {@link Info#onEngine}.
   */
  @Override
  public Info info(String builder) {
    List<String> inspectCmd = new ArrayList<>(List.of("docker", "buildx", "inspect"));
    if (builder != null) {
      inspectCmd.add(builder);
    }
    Running versionRun = begin(List.of("docker", "buildx", "version"));
    Running inspectRun;
    try {
      inspectRun = begin(inspectCmd);
    } catch (RuntimeException e) {
      versionRun.process.destroyForcibly();
      throw e;
    }
    Result version;
    try {
      version = versionRun.await();
    } catch (RuntimeException e) {
      inspectRun.process.destroyForcibly();
      throw e;
    }
    if (version.exitCode != 0) {
      inspectRun.process.destroyForcibly();
      throw new BuildxUnsupportedException(HelpfulSuggestions.buildxMissing(version.tail()));
    }
    String versionNumber = BuildxVersion.fromCli(version.output);
    if (versionNumber == null) {
      inspectRun.process.destroyForcibly();
      throw new BuildxUnsupportedException(
          HelpfulSuggestions.buildxMissing("unrecognised version: " + version.tail()));
    }
    Result inspect = inspectRun.await();
    if (inspect.exitCode != 0) {
      String tail = inspect.tail();
      if (tail.contains("Cannot connect to the Docker daemon")
          || tail.contains("error during connect")) {
        throw new DockerUnavailableException(HelpfulSuggestions.dockerUnavailable(tail));
      }
      throw new BuildxUnsupportedException(HelpfulSuggestions.builderUnusable(builder, tail));
    }
    return new Info(
        versionNumber,
        field(inspect.output, "Name"),
        field(inspect.output, "Driver"),
        false,
        field(inspect.output, "BuildKit version"),
        null);
  }

  private static String field(String output, String name) {
    for (String line : output.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith(name + ":")) {
        return trimmed.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  @Override
  public int build(Invocation invocation, Consumer<String> output) {
    List<String> command = buildCommand(invocation);
    ExportWatch watch = new ExportWatch(output);
    try (BuildxProcess.Started started = startBuild(command)) {
      Process process = started.process();
      Thread reader = pump(process, watch);
      long deadline = System.nanoTime() + buildTimeout.toNanos();
      try {
        while (!process.waitFor(1, TimeUnit.SECONDS)) {
          if (System.nanoTime() - deadline > 0) {
            started.stop();
            throw new CachedImageException(
                "docker buildx build did not finish within " + buildTimeout + "; stopped it");
          }
          String stalled = watch.stalledExport(exportStall);
          if (stalled != null) {
            // said first, so the export (not the stop) is what failed; the image is loaded
            watch.accept(
                "#"
                    + stalled
                    + " ERROR: cache export stalled: no progress for "
                    + exportStall.toSeconds()
                    + " s; stopped the build (the image was loaded before)");
            started.stop();
            break;
          }
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
      } catch (InterruptedException e) {
        started.stop();
        Thread.currentThread().interrupt();
        throw new CachedImageException("interrupted while waiting for docker buildx build", e);
      }
    }
  }

  /** Passes lines on, one at a time, and notes whether a cache export is printing nothing. */
  private static final class ExportWatch implements Consumer<String> {
    private final Consumer<String> output;
    private long lastLine = System.nanoTime();
    private String exportVertex;

    ExportWatch(Consumer<String> output) {
      this.output = output;
    }

    @Override
    public synchronized void accept(String line) {
      lastLine = System.nanoTime();
      java.util.regex.Matcher m = BuildProgress.VERTEX.matcher(line);
      if (m.matches() && BuildProgress.isCacheExport(m.group(2))) {
        exportVertex = m.group(1);
      } else if (exportVertex != null
          && (line.startsWith("#" + exportVertex + " DONE")
              || line.startsWith("#" + exportVertex + " ERROR")
              || line.startsWith("#" + exportVertex + " CANCELED"))) {
        exportVertex = null;
      }
      output.accept(line);
    }

    /** The vertex of a cache export silent for longer than {@code stall}, or null. */
    synchronized String stalledExport(Duration stall) {
      return exportVertex != null && System.nanoTime() - lastLine > stall.toNanos()
          ? exportVertex
          : null;
    }
  }

  /**
   * Removes build cache records of {@code builder}: with {@code recordIds}, exactly those ({@code
   * docker buildx prune --all --force --filter id=...}: without {@code --all}, BuildKit skips
   * records it counts as shared, such as a step's result); without, every unused record ({@code
   * docker buildx prune --force}).
   *
   * @return the command that ran, to tell the user
   * @throws CachedImageException if the prune fails
   */
  @Override
  public String pruneCache(String builder, List<String> recordIds) {
    List<String> command = pruneCommand(builder, recordIds);
    Result result = run(command);
    if (result.exitCode != 0) {
      throw new CachedImageException(
          String.join(" ", command)
              + " failed with exit code "
              + result.exitCode
              + ": "
              + result.tail());
    }
    return String.join(" ", command);
  }

  /** The exact command line of {@link #pruneCache}. */
  static List<String> pruneCommand(String builder, List<String> recordIds) {
    List<String> cmd = new ArrayList<>(List.of("docker", "buildx", "prune"));
    if (builder != null) {
      cmd.add("--builder");
      cmd.add(builder);
    }
    if (!recordIds.isEmpty()) {
      cmd.add("--all");
    }
    cmd.add("--force");
    for (String id : recordIds) {
      cmd.add("--filter");
      cmd.add("id=" + id);
    }
    return cmd;
  }

  private BuildxProcess.Started startBuild(List<String> command) {
    try {
      ProcessBuilder builder = processes.apply(command).redirectErrorStream(true);
      endpoint.get().applyTo(builder.environment());
      return BuildxProcess.start(builder);
    } catch (IOException e) {
      throw new BuildxUnsupportedException(
          HelpfulSuggestions.dockerCliMissing(String.join(" ", command.subList(0, 2)), e));
    }
  }

  private Process start(List<String> command) {
    try {
      ProcessBuilder builder = processes.apply(command).redirectErrorStream(true);
      endpoint.get().applyTo(builder.environment());
      return builder.start();
    } catch (IOException e) {
      throw new BuildxUnsupportedException(
          HelpfulSuggestions.dockerCliMissing(String.join(" ", command.subList(0, 2)), e));
    }
  }

  private static Thread pump(Process process, Consumer<String> output) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  output.accept(line);
                }
              } catch (IOException ignored) {
                // the process ended; what was read has been passed on
              }
            },
            "cached-image-buildx-output");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  private Result run(List<String> command) {
    return begin(command).await();
  }

  private Running begin(List<String> command) {
    StringBuilder out = new StringBuilder();
    Process process = start(command);
    Thread reader =
        pump(
            process,
            line -> {
              synchronized (out) {
                out.append(line).append('\n');
              }
            });
    return new Running(command, process, reader, out);
  }

  /** A query process started and not yet waited for. */
  private record Running(List<String> command, Process process, Thread reader, StringBuilder out) {
    Result await() {
      try {
        if (!process.waitFor(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new CachedImageException(
              String.join(" ", command) + " did not finish within " + QUERY_TIMEOUT);
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (out) {
          return new Result(process.exitValue(), out.toString());
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new CachedImageException("interrupted while running " + String.join(" ", command), e);
      }
    }
  }

  private record Result(int exitCode, String output) {
    String tail() {
      String[] lines = output.strip().split("\n");
      return String.join(
              " ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 3), lines.length))
          .strip();
    }
  }
}
