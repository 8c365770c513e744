package io.github.cachedimage.it.bench;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.it.gha.GhaCacheEmulator;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.Processes;
import io.github.cachedimage.it.support.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;

/**
 * The "fresh CI runner" benchmark: side by side in one run, how long the same Dockerfile takes with
 * each cache backend ({@code type=local}, {@code type=registry} against a real registry, {@code
 * type=gha} against {@link GhaCacheEmulator} driven only by the runner's {@code ACTIONS_*}
 * variables), next to a cold build without any cache. Run by {@code bench/run-fresh-runner}; not a
 * test (the name ends in neither Test nor IT, so neither surefire nor failsafe picks it up).
 *
 * <p>Per backend and repetition: a fresh nonce (no state shared with any other run), a cold build
 * that exports, then a fresh runner ({@code docker image rm} + {@code docker builder prune -af} +
 * no record), then the same build again, which imports; then the no-op decision ({@link
 * CachedImages#ensure} finding the image up to date). Backends are interleaved within each
 * repetition so that drifting machine load hits them alike.
 *
 * <pre>
 * FreshRunnerBenchmark WORKDIR RESULTS.md [REPETITIONS] [BUDGET_MINUTES]   (WORKDIR is deleted at the end)
 * </pre>
 */
public final class FreshRunnerBenchmark {

  static final String BASE = "cachedimage-bench/fresh-runner-";
  static final String SLEEP_STEP = "RUN sleep 5";
  static final int BLOB_BYTES = 25_000_000;
  static final int NO_OP_SAMPLES = 7;
  static final int NO_OP_WARMUP = 2;
  static final List<String> BACKENDS = List.of("none", "local", "registry", "gha");

  /** One repetition of one backend. */
  record Sample(
      long coldMillis,
      long coldBuildxMillis,
      long warmMillis,
      long warmBuildxMillis,
      int steps,
      int cached,
      double noOpMillis,
      List<String> warnings) {}

  private final Path work;
  private final DockerImages engine;
  private final List<String> images = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private GhaCacheEmulator emulator;
  private LocalRegistry registry;
  private String phase = "";

  private FreshRunnerBenchmark(Path work, DockerImages engine) {
    this.work = work;
    this.engine = engine;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: FreshRunnerBenchmark WORKDIR RESULTS.md [REPETITIONS] [BUDGET_MINUTES]");
      System.exit(2);
    }
    Path work = Path.of(args[0]).toAbsolutePath();
    Path results = Path.of(args[1]).toAbsolutePath();
    int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Duration budget = Duration.ofMinutes(args.length > 3 ? Long.parseLong(args[3]) : 15);
    Files.createDirectories(work);
    TestImages.ensureBaseImages();
    DockerImages engine =
        UnixSocketImages.forEndpoint(DockerEndpoints.fromEnvironment())
            .map(DockerImages.class::cast)
            .orElseGet(
                () ->
                    new DockerJavaImages(
                        DockerClientFactory.instance().client(), "testcontainers"));
    FreshRunnerBenchmark bench = new FreshRunnerBenchmark(work, engine);
    try {
      bench.run(repetitions, budget, results);
    } finally {
      bench.cleanUp();
    }
  }

  private void run(int repetitions, Duration budget, Path results) throws Exception {
    String loadBefore = uptime();
    String versions = versions();
    System.out.println(versions);
    emulator = GhaCacheEmulator.start();
    registry = LocalRegistry.start(work.resolve("registry"));
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    BACKENDS.forEach(b -> samples.put(b, new ArrayList<>()));
    long start = System.nanoTime();
    int done = 0;
    for (int rep = 1; rep <= repetitions; rep++) {
      long repStart = System.nanoTime();
      for (String backend : BACKENDS) {
        Sample s = measure(backend, rep);
        samples.get(backend).add(s);
        System.out.printf(Locale.ROOT, "[rep %d] %-8s %s%n", rep, backend, describe(s));
      }
      done = rep;
      long elapsed = System.nanoTime() - start;
      long perRep = System.nanoTime() - repStart;
      if (rep < repetitions && elapsed + perRep > budget.toNanos()) {
        System.out.printf(
            "stopping after %d repetition(s): another would exceed the %d-minute budget%n",
            rep, budget.toMinutes());
        break;
      }
    }
    String loadAfter = uptime();
    String table = table(samples);
    System.out.println();
    System.out.print(table);
    Files.writeString(
        results,
        report(table, samples, done, versions, loadBefore, loadAfter, System.nanoTime() - start));
    System.out.println("results: " + results);
  }

  // --- one backend, one repetition -------------------------------------------------------------

  private Sample measure(String backend, int rep) throws IOException {
    String image = BASE + backend + "-r" + rep;
    images.add(image);
    Path dir = work.resolve(backend + "-r" + rep);
    BuildSpec spec = spec(image, dir, backend);
    List<String> runWarnings = new ArrayList<>();
    CachedImages cachedImages = images(backend, dir, runWarnings);

    phase = "cold build";
    freshRunner(image); // equal start for every cold build
    EnsureResult cold = cachedImages.ensure(spec, dir.resolve("records-cold"));
    requireBuilt(cold, image);

    if (backend.equals("none")) {
      return new Sample(
          cold.elapsed().toMillis(),
          cold.record().buildMillis(),
          -1,
          -1,
          cold.record().cacheSummary().steps(),
          cold.record().cacheSummary().cached(),
          noOp(cachedImages, spec, dir.resolve("records-cold")),
          runWarnings);
    }
    // The second runner: no image, no build cache, and no record (a fresh checkout).
    freshRunner(image);
    Path records = dir.resolve("records-runner2");
    phase = "fresh-runner build";
    EnsureResult warm = cachedImages.ensure(spec, records);
    requireBuilt(warm, image);
    BuildRecord.CacheSummary summary = warm.record().cacheSummary();
    return new Sample(
        cold.elapsed().toMillis(),
        cold.record().buildMillis(),
        warm.elapsed().toMillis(),
        warm.record().buildMillis(),
        summary.steps(),
        summary.cached(),
        noOp(cachedImages, spec, records),
        runWarnings);
  }

  /** Median of the up-to-date {@code ensure} after a warm-up, in milliseconds. */
  private double noOp(CachedImages cachedImages, BuildSpec spec, Path records) {
    phase = "no-op";
    List<Long> nanos = new ArrayList<>();
    for (int i = 0; i < NO_OP_SAMPLES; i++) {
      long t0 = System.nanoTime();
      EnsureResult r = cachedImages.ensure(spec, records);
      long t = System.nanoTime() - t0;
      if (r.built()) {
        throw new IllegalStateException(spec.image() + ": the no-op ensure built again");
      }
      if (i >= NO_OP_WARMUP) {
        nanos.add(t);
      }
    }
    return median(nanos.stream().map(n -> n / 1e6).toList());
  }

  private static void requireBuilt(EnsureResult result, String image) {
    if (!result.built()) {
      throw new IllegalStateException(image + ": expected a build, got " + result.before());
    }
  }

  /** A context with its own nonce: every step after the COPY has keys no other run has seen. */
  private BuildSpec spec(String image, Path dir, String backend) throws IOException {
    Path context = dir.resolve("context");
    Files.createDirectories(context);
    Files.writeString(context.resolve("nonce.txt"), UUID.randomUUID() + "\n");
    Files.writeString(
        context.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM " + TestImages.BUSYBOX,
            "COPY nonce.txt /nonce.txt",
            SLEEP_STEP,
            "RUN head -c " + BLOB_BYTES + " /dev/urandom > /blob",
            "CMD [\"cat\", \"/nonce.txt\"]",
            ""));
    BuildSpec.Builder b = BuildSpec.builder(image, context);
    switch (backend) {
      case "none" -> {} // the default local cache is stripped by the Buildx below
      case "local" -> {
        Path cache = dir.resolve("cache");
        b.cacheFrom(CacheSpec.parseImport("type=local,src=" + cache))
            .cacheTo(CacheSpec.parseExport("type=local,dest=" + cache + ",mode=max"));
      }
      case "registry" -> {
        String ref = registry.address() + "/" + BASE + "cache:" + dir.getFileName();
        b.cacheFrom(CacheSpec.parseImport("type=registry,ref=" + ref))
            .cacheTo(CacheSpec.parseExport("type=registry,ref=" + ref + ",mode=max"));
      }
      case "gha" -> // no url, no token: buildx takes both from ACTIONS_* as on a runner
          b.cacheFrom(CacheSpec.parseImport("type=gha"))
              .cacheTo(CacheSpec.parseExport("type=gha,mode=max"));
      default -> throw new IllegalArgumentException(backend);
    }
    return b.build();
  }

  /**
   * The core as the mojo runs it, with the real buildx CLI. Only the gha backend's buildx sees
   * {@code ACTIONS_*} (the emulator's); for "none", a Buildx that drops every cache flag, so the
   * baseline neither imports nor exports (not even the default local cache).
   */
  private CachedImages images(String backend, Path dir, List<String> runWarnings) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("ACTIONS_") || k.startsWith("GITHUB_"));
    if (backend.equals("gha")) {
      env.putAll(emulator.runnerEnvironment());
      env.put("GITHUB_ACTIONS", "true");
      env.put("GITHUB_STEP_SUMMARY", dir.resolve("step-summary.md").toString());
    }
    Map<String, String> childEnv = Map.copyOf(env);
    CliBuildx cli =
        new CliBuildx(
            command -> {
              ProcessBuilder pb = new ProcessBuilder(command);
              pb.environment().clear();
              pb.environment().putAll(childEnv);
              return pb;
            },
            Duration.ofMinutes(10),
            DockerEndpoints::fromEnvironment);
    Buildx buildx = backend.equals("none") ? withoutCache(cli) : cli;
    return new CachedImages(log(backend, runWarnings), engine, buildx, dir.resolve("default-cache"))
        .withEnvironment(env);
  }

  private static Buildx withoutCache(Buildx delegate) {
    return new Buildx() {
      @Override
      public Info info(String builder) {
        return delegate.info(builder);
      }

      @Override
      public int build(Invocation invocation, Consumer<String> output) {
        return delegate.build(
            new Invocation(
                invocation.spec(),
                invocation.tags(),
                List.of(),
                List.of(),
                invocation.metadataFile()),
            output);
      }
    };
  }

  private BuildLog log(String backend, List<String> runWarnings) {
    return new BuildLog() {
      @Override
      public void info(String message) {}

      @Override
      public void warn(String message) {
        System.out.println("WARN " + backend + ", " + phase + ": " + message);
        runWarnings.add(phase + ": " + message);
        // one line per kind of warning, whichever repetition said it
        warnings.add(
            backend
                + ", "
                + phase
                + ": "
                + message.replace(work.toString(), "WORKDIR").replaceAll("-r[0-9]+\\b", "-rN"));
      }

      @Override
      public void debug(String message) {}

      @Override
      public void progress(String line) {}
    };
  }

  /** What a new runner starts with: no image of this name, no build cache. */
  private static void freshRunner(String image) {
    Docker.removeRepository(image);
    Docker.pruneBuildCache();
  }

  // --- report ----------------------------------------------------------------------------------

  private static String describe(Sample s) {
    if (s.warmMillis() < 0) {
      return String.format(
          Locale.ROOT,
          "cold %.1f s (buildx %.1f s), no-op %.1f ms",
          s.coldMillis() / 1e3,
          s.coldBuildxMillis() / 1e3,
          s.noOpMillis());
    }
    return String.format(
        Locale.ROOT,
        "cold+export %.1f s (buildx %.1f s), fresh runner %.1f s (buildx %.1f s), %d/%d steps"
            + " cached, no-op %.1f ms%s",
        s.coldMillis() / 1e3,
        s.coldBuildxMillis() / 1e3,
        s.warmMillis() / 1e3,
        s.warmBuildxMillis() / 1e3,
        s.cached(),
        s.steps(),
        s.noOpMillis(),
        s.warnings().isEmpty() ? "" : ", warnings in: " + phases(s.warnings()));
  }

  private static String phases(List<String> warnings) {
    return warnings.stream()
        .map(w -> w.substring(0, w.indexOf(':')))
        .distinct()
        .collect(Collectors.joining(", "));
  }

  static String table(Map<String, List<Sample>> samples) {
    StringBuilder t = new StringBuilder();
    t.append(
        "| backend | cold build + export | fresh-runner build (import) | buildx alone, cold →"
            + " fresh runner | steps cached (per run) | fresh runner vs no cache | no-op decision"
            + " |\n");
    t.append("|---|---|---|---|---|---|---|\n");
    double baseline = median(seconds(samples.get("none"), Sample::coldMillis));
    for (var e : samples.entrySet()) {
      List<Sample> runs = e.getValue();
      if (runs.isEmpty()) {
        continue;
      }
      boolean none = e.getKey().equals("none");
      List<Double> cold = seconds(runs, Sample::coldMillis);
      List<Double> noOp = runs.stream().map(Sample::noOpMillis).toList();
      String name = none ? "no cache (baseline)" : "`type=" + e.getKey() + "`";
      if (none) {
        t.append(
            String.format(
                Locale.ROOT,
                "| %s | %s (no export) | — | %.1f s | — | 1.00 | %s |\n",
                name,
                secondsCell(cold),
                median(seconds(runs, Sample::coldBuildxMillis)),
                millisCell(noOp)));
        continue;
      }
      List<Double> warm = seconds(runs, Sample::warmMillis);
      String cached =
          runs.stream().map(s -> s.cached() + "/" + s.steps()).collect(Collectors.joining(", "));
      t.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %.1f s → %.1f s | %s | %.2f | %s |\n",
              name,
              secondsCell(cold),
              secondsCell(warm),
              median(seconds(runs, Sample::coldBuildxMillis)),
              median(seconds(runs, Sample::warmBuildxMillis)),
              cached,
              median(warm) / baseline,
              millisCell(noOp)));
    }
    return t.toString();
  }

  private String report(
      String table,
      Map<String, List<Sample>> samples,
      int repetitions,
      String versions,
      String loadBefore,
      String loadAfter,
      long nanos) {
    String raw =
        samples.entrySet().stream()
            .flatMap(
                e -> {
                  List<String> lines = new ArrayList<>();
                  for (int i = 0; i < e.getValue().size(); i++) {
                    lines.add(
                        String.format(
                            Locale.ROOT,
                            "rep %d %-8s %s",
                            i + 1,
                            e.getKey(),
                            describe(e.getValue().get(i))));
                  }
                  return lines.stream();
                })
            .collect(Collectors.joining("\n"));
    String warningText =
        warnings.isEmpty()
            ? "none."
            : "\n\n```\n"
                + warnings.stream().distinct().collect(Collectors.joining("\n"))
                + "\n```";
    return "# Fresh-runner benchmark\n\n"
        + "`bench/run-fresh-runner` on "
        + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))
        + ", "
        + repetitions
        + " repetition(s) per backend, interleaved, "
        + Math.round(nanos / 1e9)
        + " s in all.\n\n"
        + "Machine: "
        + Runtime.getRuntime().availableProcessors()
        + " CPUs, Java "
        + System.getProperty("java.version")
        + ". `uptime` before: `"
        + loadBefore
        + "`; after: `"
        + loadAfter
        + "`.\n\n```\n"
        + versions
        + "\n```\n\n"
        + "Median (min–max) over the repetitions; times are `CachedImages.ensure` wall-clock (what"
        + " the mojo or the extension waits), \"buildx alone\" the `docker buildx build` process"
        + " inside it (medians).\n\n"
        + table
        + "\n## What was measured\n\n"
        + "The Dockerfile: `FROM "
        + TestImages.BUSYBOX
        + "`, `COPY nonce.txt` (a fresh UUID per backend and repetition, so no run can use"
        + " another's cache, local or remote), `"
        + SLEEP_STEP
        + "`, `RUN head -c "
        + BLOB_BYTES
        + " /dev/urandom > /blob` (a 25 MB incompressible layer), `CMD`. Each backend and"
        + " repetition builds through `io.github.cachedimage.core.CachedImages` with the real"
        + " `docker buildx` CLI and the engine's BuildKit (docker driver, containerd image"
        + " store):\n\n"
        + "1. **cold build + export**: `docker builder prune -af` first, then `ensure` with"
        + " `--cache-from` and `--cache-to` of the backend (`mode=max`); nothing to import yet.\n"
        + "2. **fresh runner**: `docker image rm` of every tag of the image, `docker builder prune"
        + " -af`, and a new, empty record directory (a fresh checkout has no `target/`). The cache"
        + " store itself survives, as it does between CI runs: the `type=local` directory (what"
        + " `actions/cache` would restore), the registry, the cache service.\n"
        + "3. **fresh-runner build (import)**: the same `ensure` with the same configuration (it"
        + " imports, and exports again as the same CI job would). \"Steps cached\" is the record's"
        + " cache summary (`cacheSummary.cached/steps`).\n"
        + "4. **no-op decision**: `ensure` again right after, which finds the image up to date"
        + " (median of "
        + (NO_OP_SAMPLES - NO_OP_WARMUP)
        + " after "
        + NO_OP_WARMUP
        + " warm-up calls, warm JVM); the table gives the median (range) over repetitions.\n\n"
        + "Backends: `type=local,src=DIR` / `type=local,dest=DIR,mode=max`; `type=registry` against"
        + " a real registry (Debian `docker-registry`, Distribution 2.8) on a loopback port, one"
        + " ref per run; `type=gha` / `type=gha,mode=max` with nothing on the command line: the"
        + " buildx process gets only the runner's `ACTIONS_RUNTIME_TOKEN`, `ACTIONS_RESULTS_URL`,"
        + " `ACTIONS_CACHE_SERVICE_V2` (and the rest of `GhaCacheEmulator.runnerEnvironment()`),"
        + " pointing at the cache-service v2 emulator of the `it` module (in-process HTTP on"
        + " loopback: no network latency, unlike a real runner talking to Azure blob storage)."
        + " The baseline (\"no cache\") goes through the same `ensure` with a `Buildx` that drops"
        + " every cache flag, so it neither imports nor exports (not even the default local"
        + " cache); it is step 1 only. \"Fresh runner vs no cache\" is the fresh-runner build's"
        + " median over the baseline's.\n\n"
        + "Per run:\n\n```\n"
        + raw
        + "\n```\n\n"
        + "Warnings from the core (by backend and phase; paths and repetition numbers"
        + " generalised). On the cold builds, the import finding nothing is expected (nothing was"
        + " exported yet); on the baseline, \"default local cache was not exported\" only says"
        + " that its cache flags were dropped. A warning on a fresh-runner build would mean the"
        + " import or export failed: "
        + warningText
        + "\n";
  }

  private static List<Double> seconds(
      List<Sample> runs, java.util.function.ToLongFunction<Sample> f) {
    return runs.stream().map(s -> f.applyAsLong(s) / 1e3).toList();
  }

  private static String secondsCell(List<Double> values) {
    return String.format(
        Locale.ROOT,
        "%.1f s (%.1f–%.1f)",
        median(values),
        values.stream().min(Comparator.naturalOrder()).orElseThrow(),
        values.stream().max(Comparator.naturalOrder()).orElseThrow());
  }

  private static String millisCell(List<Double> values) {
    return String.format(
        Locale.ROOT,
        "%.0f ms (%.0f–%.0f)",
        median(values),
        values.stream().min(Comparator.naturalOrder()).orElseThrow(),
        values.stream().max(Comparator.naturalOrder()).orElseThrow());
  }

  static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
  }

  private static String uptime() {
    return command(List.of("uptime")).strip();
  }

  private static String versions() {
    String buildkit =
        command(List.of("docker", "buildx", "inspect"))
            .lines()
            .filter(l -> l.startsWith("BuildKit version") || l.startsWith("Driver:"))
            .map(String::strip)
            .collect(Collectors.joining(", "));
    return String.join(
        "\n",
        "engine:   "
            + command(
                    List.of(
                        "docker",
                        "version",
                        "--format",
                        "Docker {{.Server.Version}} ({{.Server.Os}}/{{.Server.Arch}})"))
                .strip(),
        "storage:  "
            + command(List.of("docker", "info", "--format", "{{.Driver}} {{.DriverStatus}}"))
                .strip(),
        "buildx:   " + command(List.of("docker", "buildx", "version")).strip(),
        "builder:  " + buildkit,
        "registry: "
            + command(List.of(LocalRegistry.BINARY, "--version")).strip().replace('\n', ' '));
  }

  private static String command(List<String> command) {
    Processes.Result r = Processes.run(command, Duration.ofSeconds(30));
    return r.exitCode() == 0 ? r.output() : "(" + String.join(" ", command) + " failed)";
  }

  // --- clean-up --------------------------------------------------------------------------------

  private void cleanUp() {
    for (String image : images) {
      try {
        Docker.removeRepository(image);
      } catch (RuntimeException e) {
        System.err.println("could not remove " + image + ": " + e.getMessage());
      }
    }
    if (registry != null) {
      registry.close();
    }
    if (emulator != null) {
      emulator.close();
    }
    // the last runs' build cache (nonce-keyed, useless to anyone else)
    Docker.docker("builder", "prune", "-af");
    try (Stream<Path> files = Files.walk(work)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not delete " + work + ": " + e.getMessage());
    }
  }
}
