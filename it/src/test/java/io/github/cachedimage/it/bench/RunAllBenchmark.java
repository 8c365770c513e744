package io.github.cachedimage.it.bench;

import io.github.cachedimage.it.gha.GhaCacheEmulator;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 15's benchmark: every scenario a Java team meets (cold, fresh CI runner per cache backend,
 * fingerprint-keyed reuse, no change, application change, fingerprinting) with our two adapters and
 * the alternatives side by side, in interleaved rounds on the real engine. Run by {@code
 * bench/run-all}; not a test (neither Test nor IT). Writes {@code RESULTS_DIR/<date>.md} and {@code
 * .json} and updates {@code RESULTS_DIR/README.md}.
 *
 * <pre>
 * RunAllBenchmark WORKDIR RESULTS_DIR ROUNDS quick|full prune-all|prune-filtered
 *   system properties: bench.root (the checkout), bench.version (the plugin's), bench.mavenArgs
 * </pre>
 */
public final class RunAllBenchmark {
  /**
   * In every step's description, so a filtered prune finds this workload's cache and nothing else.
   */
  static final String MARKER = "cachedimage-bench-svc";

  static final String IMAGE = "cachedimage-bench/svc";
  static final int RESOURCE_FILES = 900;
  static final int RESOURCE_BYTES = 45_000;
  static final int EXCLUDED_FILES = 100;
  static final int EXCLUDED_BYTES = 80_000;
  static final int JAR_BYTES = 2_000_000;
  static final int SEED_BYTES = 1_000_000;
  static final int DEPENDENCY_COPIES = 30;

  private static final Pattern MAVEN_TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");

  private final Path work;
  private final Path project;
  private final Path root;
  private final boolean pruneAll;
  private final List<String> mavenArgs;
  private final BenchReport report = new BenchReport();
  private LocalRegistry registry;
  private GhaCacheEmulator emulator;
  private String reuseRepository;
  private String reuseKeyTag;
  private boolean dropCaches;
  private int jarVariant;

  private RunAllBenchmark(Path work, boolean pruneAll) {
    this.work = work;
    this.project = work.resolve("svc");
    this.root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath();
    this.pruneAll = pruneAll;
    String args = System.getProperty("bench.mavenArgs", "").strip();
    this.mavenArgs = args.isEmpty() ? List.of() : List.of(args.split("\\s+"));
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println(
          "usage: RunAllBenchmark WORKDIR RESULTS_DIR ROUNDS quick|full prune-all|prune-filtered"
              + " BUDGET_MINUTES");
      System.exit(2);
    }
    Path work = Path.of(args[0]).toAbsolutePath();
    Path results = Path.of(args[1]).toAbsolutePath();
    int rounds = Integer.parseInt(args[2]);
    Duration budget = Duration.ofMinutes(Long.parseLong(args[5]));
    boolean quick = args[3].equals("quick");
    RunAllBenchmark bench = new RunAllBenchmark(work, args[4].equals("prune-all"));
    long start = System.nanoTime();
    // Ctrl-C or kill: the registry (own session), the images and the work directory go anyway
    Thread cleanUpOnExit = new Thread(bench::cleanUp);
    Runtime.getRuntime().addShutdownHook(cleanUpOnExit);
    try {
      rounds = bench.run(rounds, start, budget);
    } finally {
      bench.cleanUp();
    }
    bench.write(results, rounds, quick, Duration.ofNanos(System.nanoTime() - start));
  }

  // --- the run ---------------------------------------------------------------------------------

  /** Returns the rounds run: fewer than asked when another would overrun the budget. */
  private int run(int rounds, long start, Duration budget) throws Exception {
    describeMachine("before");
    Files.createDirectories(work);
    generateWorkload();
    registry = LocalRegistry.start(work.resolve("registry"));
    emulator = GhaCacheEmulator.start();
    reuseRepository = registry.address() + "/bench/svc-reuse";
    writePoms();
    dropCaches = canDropCaches();
    declareScenarios();
    declareTargets();

    log("populating the caches (one plugin build per backend, not measured)");
    freshRunner();
    requireLine(maven("local", Map.of()), "built");
    requireLine(maven("app", Map.of()), "built");
    requireLine(maven("registry", Map.of()), "built");
    requireLine(maven("gha", Map.of()), "built");
    String reuse = maven("reuse", Map.of());
    Matcher pushed =
        Pattern.compile("pushed " + Pattern.quote(reuseRepository) + ":(fp-[0-9a-f]+)")
            .matcher(reuse);
    if (!pushed.find()) {
      throw new IllegalStateException("the reuse project pushed no key:\n" + tail(reuse));
    }
    reuseKeyTag = fullKeyTag(pushed.group(1));

    int done = 0;
    for (int r = 1; r <= rounds; r++) {
      long roundStart = System.nanoTime();
      log("round " + r + " of " + rounds);
      cold(r);
      freshRunnerScenario("fresh-local", "local", r);
      freshRunnerScenario("fresh-registry", "registry", r);
      freshRunnerScenario("fresh-gha", "gha", r);
      reuse(r);
      noChange(r);
      applicationChange(r);
      fingerprint(r);
      done = r;
      long now = System.nanoTime();
      if (r < rounds && now - start + (now - roundStart) > budget.toNanos()) {
        report.notes.add(
            "Stopped after "
                + r
                + " of "
                + rounds
                + " rounds: another would have overrun the "
                + budget.toMinutes()
                + "-minute budget (--budget).");
        log("stopping after round " + r + ": another would overrun the budget");
        break;
      }
    }
    describeMachine("after");
    double first =
        report.median(
            "no-change", "extension, first call of a test run (Testcontainers' start-up inside)");
    double alone = report.median("no-change", "Testcontainers' start-up alone");
    report.notes.add(
        String.format(
            Locale.ROOT,
            "No change: the extension's first call minus Testcontainers' start-up alone (medians of"
                + " separate fresh JVMs, so the noise of two ~1 s figures) is %.0f ms; the target is"
                + " judged on the check once Testcontainers is up, measured directly (an upper bound:"
                + " in a test run part of it overlaps Testcontainers' start-up).",
            first - alone));
    return done;
  }

  private void declareScenarios() {
    String fresh =
        "Fresh CI runner: the images of this workload removed, BuildKit's cache pruned, no record"
            + " (`target/` deleted); the cache store populated by an earlier build survives, as it"
            + " does between CI runs. ";
    report.scenario(
        "cold",
        "Cold: nothing anywhere",
        "Image and build cache gone, the cache directory empty (a new `type=local` directory per"
            + " build, exported to). Testcontainers' `ImageFromDockerfile` has no remote cache: on"
            + " every fresh runner it builds like this, so its figure here is also its fresh-runner"
            + " figure.");
    report.scenario(
        "fresh-local",
        "Fresh runner, `type=local` cache",
        fresh
            + "`--cache-from type=local,src=DIR --cache-to type=local,dest=DIR,mode=max` for both.");
    report.scenario(
        "fresh-registry",
        "Fresh runner, `type=registry` cache",
        fresh + "A real registry (Distribution 2.8) on loopback, `mode=max`, for both.");
    report.scenario(
        "fresh-gha",
        "Fresh runner, `type=gha` cache",
        fresh
            + "The it module's cache-service v2 emulator on loopback, reached through the runner's"
            + " `ACTIONS_*` variables only; `mode=max` for both.");
    report.scenario(
        "reuse",
        "Fresh runner, unchanged inputs: fingerprint-keyed reuse",
        fresh
            + "The plugin with `<imageRepository>` pulls the image a previous runner pushed under"
            + " the inputs' key; buildx imports the registry cache (`--cache-from` only, as the"
            + " plugin's reuse exports nothing); `docker pull` of the same image is the floor.");
    report.scenario(
        "no-change",
        "No change",
        "Record present, inputs unchanged, image present. The plugin: its own `up to date ... in N"
            + " ms` (the goal's decision inside Maven's JVM) and the whole `mvn` process. The"
            + " extension, each in a fresh JVM: `CachedImageResolver.ensure` as a test run's first"
            + " call (Testcontainers finding the engine happens inside it), Testcontainers' start-up"
            + " alone, and the check once Testcontainers is up (nothing left to overlap: the upper"
            + " bound of what the extension adds). buildx: the same build with nothing changed,"
            + " with and without the cache flags.");
    report.scenario(
        "app-change",
        "Application change: only the jar",
        "A new `app/app.jar` (2 MB) before each contender; everything else unchanged and in"
            + " BuildKit's cache. The extension's rebuild runs in a fresh JVM once Testcontainers"
            + " is up, with the cache flags the plugin recorded.");
    report.scenario(
        "fingerprint",
        "Fingerprinting the context",
        "The files the build sends (.dockerignore applied; ~43 MB in ~900 files): `sha256sum`"
            + " over them against core's `Fingerprinter` hashing every file with no stat cache (what"
            + " a fresh runner's check does), in a fresh JVM, time of the call (class loading"
            + " included). Cold: `sync; echo 3 > /proc/sys/vm/drop_caches` first.");
  }

  private void declareTargets() {
    for (String backend : List.of("local", "registry", "gha")) {
      report.targets.add(
          new BenchReport.Target(
              "fresh runner, `type=" + backend + "`: goal / plain buildx",
              new String[] {"fresh-" + backend, "build goal (its own time)"},
              new String[] {"fresh-" + backend, "docker buildx build"},
              "<=",
              1.05));
    }
    for (String backend : List.of("local", "registry", "gha")) {
      report.targets.add(
          new BenchReport.Target(
              "fresh runner, `type=" + backend + "`: ImageFromDockerfile / goal",
              new String[] {"cold", "ImageFromDockerfile"},
              new String[] {"fresh-" + backend, "build goal (its own time)"},
              ">=",
              5));
    }
    report.targets.add(
        new BenchReport.Target(
            "reuse: goal / buildx with the registry cache",
            new String[] {"reuse", "build goal (its own time)"},
            new String[] {"reuse", "docker buildx build --cache-from registry"},
            "<=",
            0.5));
    report.targets.add(
        new BenchReport.Target(
            "no change: goal's decision / no-change buildx",
            new String[] {"no-change", "build goal (its own time)"},
            new String[] {"no-change", "docker buildx build, no cache flags"},
            "<=",
            0.15));
    report.targets.add(
        new BenchReport.Target(
            "no change: extension check once Testcontainers is up",
            new String[] {"no-change", "extension check after Testcontainers' start-up"},
            null,
            "<",
            20));
    report.targets.add(
        new BenchReport.Target(
            "fingerprint, cold page cache: core / sha256sum",
            new String[] {"fingerprint", "core Fingerprinter, cold"},
            new String[] {"fingerprint", "sha256sum, cold"},
            "<=",
            1.5));
  }

  // --- scenarios -------------------------------------------------------------------------------

  private void cold(int round) throws IOException {
    Map<String, Runnable> contenders = new LinkedHashMap<>();
    contenders.put(
        "build goal",
        () -> {
          freshRunner();
          Path cache = emptyDirectory("cold-cache-goal");
          String log = maven("cold", Map.of("bench.cache", cache.toString()));
          requireLine(log, "built");
          addGoal("cold", log);
        });
    contenders.put(
        "buildx",
        () -> {
          freshRunner();
          Path cache = emptyDirectory("cold-cache-buildx");
          report.add(
              "cold",
              "docker buildx build",
              buildx(
                  IMAGE + "-cold:buildx",
                  List.of(
                      "--cache-from",
                      "type=local,src=" + cache,
                      "--cache-to",
                      "type=local,dest=" + cache + ",mode=max"),
                  Map.of()));
        });
    contenders.put(
        "ImageFromDockerfile",
        () -> {
          freshRunner();
          report.add(
              "cold",
              "ImageFromDockerfile",
              child("image-from-dockerfile", IMAGE + "-ifd:bench", project.toString()));
        });
    interleave("cold", round, contenders);
  }

  private void freshRunnerScenario(String scenario, String backend, int round) {
    Map<String, Runnable> contenders = new LinkedHashMap<>();
    contenders.put(
        "build goal",
        () -> {
          freshRunner();
          String log = maven(backend, Map.of());
          requireLine(log, "built");
          Matcher cached = Pattern.compile("(\\d+)/(\\d+) steps cached").matcher(log);
          if (cached.find() && cached.group(1).equals("0")) {
            report.notes.add(
                scenario
                    + ", round "
                    + round
                    + ": the goal's build imported nothing ("
                    + cached.group()
                    + ")");
          }
          addGoal(scenario, log);
        });
    contenders.put(
        "buildx",
        () -> {
          freshRunner();
          report.add(
              scenario,
              "docker buildx build",
              buildx(IMAGE + "-" + backend + ":buildx", cacheFlags(backend), environment(backend)));
        });
    interleave(scenario, round, contenders);
  }

  private void reuse(int round) {
    Map<String, Runnable> contenders = new LinkedHashMap<>();
    contenders.put(
        "build goal",
        () -> {
          freshRunner();
          String log = maven("reuse", Map.of());
          requireLine(log, "pulled");
          addGoal("reuse", log);
        });
    contenders.put(
        "buildx",
        () -> {
          freshRunner();
          report.add(
              "reuse",
              "docker buildx build --cache-from registry",
              buildx(
                  IMAGE + "-reuse:buildx",
                  List.of("--cache-from", "type=registry,ref=" + reuseCacheRef()),
                  Map.of()));
        });
    contenders.put(
        "pull",
        () -> {
          freshRunner();
          report.add(
              "reuse",
              "docker pull (the floor)",
              timed(
                  List.of("docker", "pull", "-q", reuseRepository + ":" + reuseKeyTag), Map.of()));
        });
    interleave("reuse", round, contenders);
  }

  private void noChange(int round) throws IOException {
    setJar("canonical", 0);
    String setUp = maven("app", Map.of()); // after the fresh runners: the record and image back
    requireLine(setUp, "");
    String records = project.resolve("target/cached-image").toString();
    String image = IMAGE + "-app";
    Map<String, Runnable> contenders = new LinkedHashMap<>();
    contenders.put(
        "build goal",
        () -> {
          String log = maven("app", Map.of());
          Matcher m = Pattern.compile("up to date \\(.*\\) in (\\d+) ms").matcher(log);
          if (!m.find()) {
            throw new IllegalStateException(
                "no change, but the goal did not say up to date:\n" + tail(log));
          }
          report.add("no-change", "build goal (its own time)", Double.parseDouble(m.group(1)));
          report.add("no-change", "mvn cached-image:build (whole process)", lastWall);
        });
    contenders.put(
        "buildx flags",
        () ->
            report.add(
                "no-change",
                "docker buildx build, same cache flags",
                buildx(IMAGE + "-app:buildx", cacheFlags("app"), Map.of())));
    contenders.put(
        "buildx plain",
        () ->
            report.add(
                "no-change",
                "docker buildx build, no cache flags",
                buildx(IMAGE + "-app:buildx", List.of(), Map.of())));
    contenders.put(
        "ext-first",
        () ->
            report.add(
                "no-change",
                "extension, first call of a test run (Testcontainers' start-up inside)",
                child("ext-first", image, records)));
    contenders.put(
        "tc-alone",
        () -> report.add("no-change", "Testcontainers' start-up alone", child("tc-alone")));
    contenders.put(
        "ext-after-tc",
        () ->
            report.add(
                "no-change",
                "extension check after Testcontainers' start-up",
                child("ext-after-tc", image, records)));
    interleave("no-change", round, contenders);
  }

  private void applicationChange(int round) {
    String records = project.resolve("target/cached-image").toString();
    Map<String, Runnable> contenders = new LinkedHashMap<>();
    contenders.put(
        "build goal",
        () -> {
          newJar();
          String log = maven("app", Map.of());
          requireLine(log, "built");
          addGoal("app-change", log);
        });
    contenders.put(
        "extension",
        () -> {
          newJar();
          report.add(
              "app-change",
              "extension rebuild after Testcontainers' start-up",
              child("ext-after-tc", IMAGE + "-app", records));
        });
    contenders.put(
        "buildx",
        () -> {
          newJar();
          report.add(
              "app-change",
              "docker buildx build",
              buildx(IMAGE + "-app:buildx", cacheFlags("app"), Map.of()));
        });
    interleave("app-change", round, contenders);
    setJar("canonical", 0);
  }

  private void fingerprint(int round) throws IOException {
    Path list = work.resolve("sent-files.list");
    if (!Files.exists(list)) {
      try (Stream<Path> files = Files.walk(project)) {
        List<String> sent =
            files
                .filter(Files::isRegularFile)
                .map(p -> project.relativize(p).toString())
                .filter(RunAllBenchmark::sent)
                .sorted()
                .toList();
        Files.writeString(list, String.join("\0", sent) + "\0");
      }
    }
    List<String> sha = List.of("sh", "-c", "xargs -0 sha256sum < " + list + " > /dev/null");
    Map<String, Runnable> contenders = new LinkedHashMap<>();
    contenders.put(
        "sha256sum",
        () -> {
          if (dropCaches) {
            dropCaches();
            report.add("fingerprint", "sha256sum, cold", timedIn(sha, project));
          }
          report.add("fingerprint", "sha256sum, warm", timedIn(sha, project));
        });
    contenders.put(
        "core",
        () -> {
          if (dropCaches) {
            dropCaches();
            report.add(
                "fingerprint",
                "core Fingerprinter, cold",
                child("fingerprint", project.toString()));
          }
          report.add(
              "fingerprint", "core Fingerprinter, warm", child("fingerprint", project.toString()));
        });
    interleave("fingerprint", round, contenders);
  }

  /** Runs each contender once, starting with a different one each round. */
  private static void interleave(String scenario, int round, Map<String, Runnable> contenders) {
    List<String> order = new ArrayList<>(contenders.keySet());
    java.util.Collections.rotate(order, -(round - 1) % order.size());
    for (String contender : order) {
      long t0 = System.nanoTime();
      contenders.get(contender).run();
      log(
          String.format(
              Locale.ROOT,
              "  %-15s %-13s %5.1f s",
              scenario,
              contender,
              (System.nanoTime() - t0) / 1e9));
    }
  }

  // --- the workload ----------------------------------------------------------------------------

  /**
   * A service image: the local JRE, a slow dependency step (3 s and 30 MB the gzip of a layer
   * cannot shrink: copies of a 1 MB seeded block, farther apart than deflate's window), ~900
   * resource files (~40 MB) and the application jar on top. Deterministic: every byte comes from
   * seeded Randoms. The excluded part (~8 MB of logs) is what `.dockerignore` keeps out.
   */
  private void generateWorkload() throws IOException {
    Files.createDirectories(project);
    Files.writeString(
        project.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM cachedimage-local/jre:17",
            "COPY deps/seed.bin /opt/" + MARKER + "/seed.bin",
            "RUN sleep 3 && mkdir -p /opt/"
                + MARKER
                + "/lib && for i in $(seq 1 "
                + DEPENDENCY_COPIES
                + "); do"
                + " cat /opt/"
                + MARKER
                + "/seed.bin > /opt/"
                + MARKER
                + "/lib/dep-$i.jar; done",
            "COPY app/resources/ /opt/" + MARKER + "/resources/",
            "COPY app/app.jar /opt/" + MARKER + "/app.jar",
            "CMD [\"java\", \"-cp\", \"/opt/" + MARKER + "/app.jar\", \"Main\"]",
            ""));
    Files.writeString(project.resolve(".dockerignore"), "target\npom-*.xml\nlogs\n**/*.log\n");
    write(project.resolve("deps/seed.bin"), SEED_BYTES, new Random(1));
    Random resources = new Random(2);
    for (int i = 0; i < RESOURCE_FILES; i++) {
      write(
          project.resolve("app/resources/r" + (i % 20) + "/res-" + i + ".bin"),
          RESOURCE_BYTES,
          resources);
    }
    Random excluded = new Random(3);
    for (int i = 0; i < EXCLUDED_FILES; i++) {
      write(project.resolve("logs/run-" + i + ".log"), EXCLUDED_BYTES, excluded);
    }
    setJar("canonical", 0);
  }

  private static boolean sent(String relative) {
    return !(relative.startsWith("target/")
        || relative.startsWith("logs/")
        || relative.endsWith(".log")
        || relative.startsWith("pom-"));
  }

  private void newJar() {
    setJar("variant", ++jarVariant);
  }

  private void setJar(String kind, int variant) {
    try {
      write(
          project.resolve("app/app.jar"),
          JAR_BYTES,
          new Random(kind.equals("canonical") ? 4 : 1000 + variant));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, int bytes, Random random) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] data = new byte[bytes];
    random.nextBytes(data);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(data);
    }
  }

  private void writePoms() throws IOException {
    String version = System.getProperty("bench.version");
    Path cacheLocal = work.resolve("cache-local");
    String registryRef = registry.address() + "/bench/svc-cache";
    Map<String, String> configurations = new LinkedHashMap<>();
    configurations.put(
        "cold", cache("type=local,src=${bench.cache}", "type=local,dest=${bench.cache},mode=max"));
    configurations.put(
        "local",
        cache("type=local,src=" + cacheLocal, "type=local,dest=" + cacheLocal + ",mode=max"));
    // no change and application change: a cache of their own, so that the variant jars they
    // export never reach the fresh runners' type=local cache
    Path cacheApp = work.resolve("cache-app");
    configurations.put(
        "app", cache("type=local,src=" + cacheApp, "type=local,dest=" + cacheApp + ",mode=max"));
    configurations.put(
        "registry",
        cache(
            "type=registry,ref=" + registryRef + ":registry",
            "type=registry,ref=" + registryRef + ":registry,mode=max"));
    configurations.put("gha", cache("type=gha", "type=gha,mode=max"));
    configurations.put(
        "reuse",
        "<imageRepository>"
            + reuseRepository
            + "</imageRepository><reusePush>always</reusePush>"
            + cache(
                "type=registry,ref=" + reuseCacheRef(),
                "type=registry,ref=" + reuseCacheRef() + ",mode=max"));
    for (var e : configurations.entrySet()) {
      Files.writeString(
          project.resolve("pom-" + e.getKey() + ".xml"),
          String.join(
              "\n",
              "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
              "  <modelVersion>4.0.0</modelVersion>",
              "  <groupId>bench</groupId><artifactId>svc-"
                  + e.getKey()
                  + "</artifactId><version>1</version>",
              "  <packaging>pom</packaging>",
              "  <build><plugins><plugin>",
              "    <groupId>io.github.cachedimage</groupId><artifactId>cached-image-maven-plugin</artifactId>",
              "    <version>" + version + "</version>",
              "    <configuration><image>"
                  + IMAGE
                  + "-"
                  + e.getKey()
                  + "</image>"
                  + e.getValue()
                  + "</configuration>",
              "  </plugin></plugins></build>",
              "</project>",
              ""));
    }
  }

  private static String cache(String from, String to) {
    return "<cacheFrom><cache>"
        + from
        + "</cache></cacheFrom><cacheTo><cache>"
        + to
        + "</cache></cacheTo>";
  }

  private String reuseCacheRef() {
    return registry.address() + "/bench/svc-cache:reuse";
  }

  private List<String> cacheFlags(String backend) {
    return switch (backend) {
      case "local", "app" -> {
        Path dir = work.resolve("cache-" + backend);
        yield List.of(
            "--cache-from",
            "type=local,src=" + dir,
            "--cache-to",
            "type=local,dest=" + dir + ",mode=max");
      }
      case "registry" -> {
        String ref = registry.address() + "/bench/svc-cache:registry";
        yield List.of(
            "--cache-from",
            "type=registry,ref=" + ref,
            "--cache-to",
            "type=registry,ref=" + ref + ",mode=max");
      }
      case "gha" -> List.of("--cache-from", "type=gha", "--cache-to", "type=gha,mode=max");
      default -> throw new IllegalArgumentException(backend);
    };
  }

  /** A runner's environment for the gha backend (the emulator's ACTIONS_*), nothing otherwise. */
  private Map<String, String> environment(String backend) {
    if (!backend.equals("gha")) {
      return Map.of();
    }
    Map<String, String> env = new HashMap<>(emulator.runnerEnvironment());
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_STEP_SUMMARY", work.resolve("step-summary.md").toString());
    return env;
  }

  // --- contenders ------------------------------------------------------------------------------

  private double lastWall;

  /** {@code mvn -f pom-NAME.xml cached-image:build} with timestamped log lines; returns the log. */
  private String maven(String pom, Map<String, String> properties) {
    List<String> command = new ArrayList<>(List.of(root.resolve("mvnw").toString(), "-B", "-o"));
    command.addAll(mavenArgs);
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(List.of("-f", "pom-" + pom + ".xml", "cached-image:build"));
    Map<String, String> env = new HashMap<>(environment(pom.equals("gha") ? "gha" : ""));
    long t0 = System.nanoTime();
    Processes.Result r = Processes.run(command, Duration.ofMinutes(10), project, env);
    lastWall = (System.nanoTime() - t0) / 1e6;
    if (r.exitCode() != 0) {
      throw new IllegalStateException("mvn -f pom-" + pom + ".xml failed:\n" + tail(r.output()));
    }
    return r.output();
  }

  private static final Pattern BUILT = Pattern.compile(": built sha256:[0-9a-f]+ in ([0-9.]+) s");

  /**
   * The goal's own time and the whole mvn process's; when it built, where the goal's time went,
   * read off the timestamps of buildx's streamed progress lines ({@code #N ...}): before buildx's
   * first line (plugin loading, the check, the engine and builder probes, buildx's own start), the
   * build as buildx reports it, and after its last line (buildx's exit, the record).
   */
  private void addGoal(String scenario, String log) {
    double goal = goalMillis(log);
    report.add(scenario, "build goal (its own time)", goal);
    Matcher built = BUILT.matcher(log);
    if (built.find()) {
      LocalTime start = null;
      LocalTime first = null;
      LocalTime last = null;
      for (String line : log.split("\n")) {
        Matcher t = MAVEN_TIME.matcher(line);
        if (!t.find()) {
          continue;
        }
        if (line.contains("--- cached-image") && line.contains(":build")) {
          start = LocalTime.parse(t.group(1));
        } else if (start != null && line.matches("\\S+ \\[INFO\\] #\\d+ .*")) {
          last = LocalTime.parse(t.group(1));
          first = first == null ? last : first;
        }
      }
      if (first != null) {
        double before = Duration.between(start, first).toNanos() / 1e6;
        double after = goal - Duration.between(start, last).toNanos() / 1e6;
        report.add(scenario, "  goal: before buildx's first progress line", before);
        report.add(scenario, "  goal: buildx's first to last progress line", goal - before - after);
        report.add(scenario, "  goal: after buildx's last progress line", after);
      }
      // in tenths of a second
      report.add(
          scenario,
          "  goal: buildx, as the goal's summary says",
          Double.parseDouble(built.group(1)) * 1000);
    }
    report.add(scenario, "mvn cached-image:build (whole process)", lastWall);
  }

  /**
   * The goal's own time: from Maven's line announcing the goal to the core's summary line, both
   * timestamped by Maven's logger (so it includes the plugin's class loading, and nothing of
   * Maven's start-up).
   */
  static double goalMillis(String log) {
    LocalTime start = null;
    LocalTime end = null;
    for (String line : log.split("\n")) {
      Matcher t = MAVEN_TIME.matcher(line);
      if (!t.find()) {
        continue;
      }
      if (line.contains("--- cached-image") && line.contains(":build")) {
        start = LocalTime.parse(t.group(1));
      } else if (start != null
          && line.matches(".*" + Pattern.quote(IMAGE) + "-\\w+: (built|pulled|up to date) .*")) {
        end = LocalTime.parse(t.group(1));
      }
    }
    if (start == null || end == null) {
      throw new IllegalStateException("no goal start or summary line in:\n" + tail(log));
    }
    return Duration.between(start, end).toNanos() / 1e6;
  }

  private static void requireLine(String log, String word) {
    if (!log.matches("(?s).*" + Pattern.quote(IMAGE) + "-\\w+: " + Pattern.quote(word) + ".*")) {
      throw new IllegalStateException(
          "expected '" + word + "' in the goal's summary:\n" + tail(log));
    }
  }

  private double buildx(String tag, List<String> cacheFlags, Map<String, String> env) {
    List<String> command =
        new ArrayList<>(List.of("docker", "buildx", "build", "-q", "--load", "-t", tag));
    command.addAll(cacheFlags);
    command.add(project.toString());
    return timed(command, env);
  }

  private double timed(List<String> command, Map<String, String> env) {
    long t0 = System.nanoTime();
    Processes.Result r = Processes.run(command, Duration.ofMinutes(10), null, env);
    double ms = (System.nanoTime() - t0) / 1e6;
    r.requireSuccess();
    return ms;
  }

  private double timedIn(List<String> command, Path directory) {
    long t0 = System.nanoTime();
    Processes.Result r = Processes.run(command, Duration.ofMinutes(10), directory, Map.of());
    double ms = (System.nanoTime() - t0) / 1e6;
    r.requireSuccess();
    return ms;
  }

  /** A fresh JVM running {@link BenchChild}; returns its RESULT. */
  private double child(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dbasedir=" + project,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                BenchChild.class.getName()));
    command.addAll(List.of(args));
    Processes.Result r =
        Processes.run(
            command,
            Duration.ofMinutes(10),
            project,
            Map.of("TESTCONTAINERS_RYUK_DISABLED", "true"));
    if (r.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", args) + " failed:\n" + tail(r.output()));
    }
    r.output()
        .lines()
        // Testcontainers' warnings (a large context sent, ...); not the one that Ryuk is off
        .filter(l -> l.contains(" WARN ") && l.contains(" - ") && !l.contains("ResourceReaper"))
        .map(l -> l.substring(l.indexOf(" - ") + 3).strip())
        .filter(message -> !message.isEmpty())
        .map(message -> args[0] + " said: `" + message + "`")
        .filter(n -> !report.notes.contains(n))
        .forEach(report.notes::add);
    return r.output()
        .lines()
        .filter(l -> l.startsWith("RESULT "))
        .map(l -> Double.parseDouble(l.substring(7).strip()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException("no RESULT from " + args[0] + ":\n" + tail(r.output())));
  }

  // --- fresh runner ----------------------------------------------------------------------------

  /**
   * No image of this workload, no build cache for it, no record. {@code --prune-all} prunes the
   * engine's whole build cache (BuildKit's local-source records of the context included, as on a
   * new machine); otherwise only the records whose description names {@link #MARKER}, so other
   * builds on the engine keep theirs (the context's transfer cache then survives: see the notes).
   */
  private void freshRunner() {
    removeImages();
    List<String> prune = new ArrayList<>(List.of("docker", "builder", "prune", "-af"));
    if (!pruneAll) {
      prune.addAll(List.of("--filter", "description~=" + MARKER));
    }
    Processes.run(prune, Duration.ofMinutes(5), null, Map.of()).requireSuccess();
    deleteTree(project.resolve("target"));
  }

  private void removeImages() {
    List<String> refs = new ArrayList<>();
    for (String filter : List.of(IMAGE + "*", "*/bench/svc*")) {
      Processes.Result r =
          Processes.run(
              List.of(
                  "docker",
                  "image",
                  "ls",
                  "--format",
                  "{{.Repository}}:{{.Tag}}",
                  "--filter",
                  "reference=" + filter),
              Duration.ofMinutes(1));
      r.output().lines().filter(l -> !l.isBlank() && !l.endsWith(":<none>")).forEach(refs::add);
    }
    if (!refs.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("docker", "image", "rm", "-f"));
      rm.addAll(refs);
      Processes.run(rm, Duration.ofMinutes(2));
    }
  }

  private Path emptyDirectory(String name) {
    Path dir = work.resolve(name);
    deleteTree(dir);
    return dir;
  }

  private String fullKeyTag(String shortTag) throws Exception {
    HttpResponse<String> tags =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://" + registry.address() + "/v2/bench/svc-reuse/tags/list"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m =
        Pattern.compile("\"(" + Pattern.quote(shortTag) + "[0-9a-f]*)\"").matcher(tags.body());
    if (!m.find()) {
      throw new IllegalStateException("no tag " + shortTag + "... in " + tags.body());
    }
    return m.group(1);
  }

  private static boolean canDropCaches() {
    return Processes.run(
                List.of("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches"),
                Duration.ofMinutes(1))
            .exitCode()
        == 0;
  }

  private static void dropCaches() {
    Processes.run(
            List.of("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches"), Duration.ofMinutes(1))
        .requireSuccess();
  }

  // --- machine and results ---------------------------------------------------------------------

  private void describeMachine(String when) {
    Map<String, String> m = report.machine;
    if (when.equals("before")) {
      m.put("CPUs", String.valueOf(Runtime.getRuntime().availableProcessors()));
      m.put("memory", firstLine(sh("grep MemTotal /proc/meminfo")).replaceAll("\\s+", " "));
      m.put("kernel", firstLine(sh("uname -sr")));
      m.put(
          "CPU model", firstLine(sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")).strip());
      m.put(
          "engine",
          firstLine(
              sh(
                  "docker version --format 'Docker {{.Server.Version}} ({{.Server.Os}}/{{.Server.Arch}})'")));
      m.put("storage", firstLine(sh("docker info --format '{{.Driver}} {{.DriverStatus}}'")));
      m.put("buildx", firstLine(sh("docker buildx version")));
      m.put(
          "builder",
          sh("docker buildx inspect | grep -E '^(Driver|BuildKit version):' | tr -s ' ' | paste -sd ';'")
              .strip());
      m.put("registry", firstLine(sh(LocalRegistry.BINARY + " --version")));
      m.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      m.put("Maven", firstLine(sh(root.resolve("mvnw") + " -v -q 2>/dev/null | head -1")));
      m.put(
          "Testcontainers",
          org.testcontainers.DockerClientFactory.class.getPackage().getImplementationVersion()
              + "");
      m.put(
          "prune",
          pruneAll
              ? "--prune-all: the engine's whole build cache"
              : "filtered: this workload's records only (description~=" + MARKER + ")");
    }
    m.put("load average " + when, firstLine(sh("cat /proc/loadavg")));
    if (when.equals("after")) {
      m.put(
          "page cache dropped for cold figures",
          dropCaches ? "yes" : "no (not permitted: cold figures missing)");
    }
  }

  private static String sh(String script) {
    Processes.Result r = Processes.run(List.of("sh", "-c", script), Duration.ofMinutes(1));
    return r.exitCode() == 0 ? r.output() : "(" + script + " failed)";
  }

  private static String firstLine(String text) {
    return text.strip().lines().findFirst().orElse("");
  }

  private void write(Path results, int rounds, boolean quick, Duration took) throws IOException {
    String date = LocalDate.now().toString();
    String name = date + (quick ? "-quick" : "");
    String when = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"));
    String title =
        "Benchmark " + date + (quick ? " (quick check of the harness: not a result)" : "");
    String intro =
        "`bench/run-all"
            + (quick ? " --quick" : "")
            + (pruneAll ? "" : " --no-prune-all")
            + "` on "
            + when
            + ": "
            + rounds
            + " interleaved round(s) (each round runs every contender of a scenario once, starting"
            + " with a different one each round), "
            + Math.round(took.toSeconds() / 6.0) / 10.0
            + " min in all. Times in ms; median, min and max over the rounds; ratios are of"
            + " medians measured in this run. How to read it: [README.md](README.md).";
    String md = report.markdown(title, intro);
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("date", date);
    header.put("quick", quick);
    header.put("rounds", rounds);
    header.put("pruneAll", pruneAll);
    header.put("seconds", took.toSeconds());
    BenchReport.write(results.resolve(name + ".md"), md);
    BenchReport.write(results.resolve(name + ".json"), report.json(header));
    Path index = results.resolve("README.md");
    if (Files.exists(index)) {
      long met = report.verdicts().stream().filter(v -> v.word().equals("met")).count();
      String line =
          "- ["
              + name
              + "]("
              + name
              + ".md)"
              + (quick ? " quick check of the harness, " : " ")
              + rounds
              + " round(s), "
              + (pruneAll ? "whole build cache pruned" : "filtered prune")
              + ": "
              + met
              + " of "
              + report.targets.size()
              + " targets met";
      String current =
          quick
              ? null
              : "From ["
                  + name
                  + "]("
                  + name
                  + ".md) ("
                  + rounds
                  + " rounds, "
                  + when
                  + "):\n\n"
                  + report.targetTable();
      BenchReport.write(
          index, BenchReport.updateIndex(Files.readString(index), name + ".md", line, current));
    }
    System.out.println();
    System.out.print(report.targetLines());
    System.out.println("results: " + results.resolve(name + ".md"));
  }

  // --- clean-up --------------------------------------------------------------------------------

  private final java.util.concurrent.atomic.AtomicBoolean cleanedUp =
      new java.util.concurrent.atomic.AtomicBoolean();

  private void cleanUp() {
    if (cleanedUp.getAndSet(true)) {
      return;
    }
    try {
      removeImages();
      // this workload's cache only, whatever the mode: nothing of it is useful to anyone else
      Processes.run(
          List.of("docker", "builder", "prune", "-af", "--filter", "description~=" + MARKER),
          Duration.ofMinutes(5));
    } catch (RuntimeException e) {
      System.err.println("clean-up: " + e.getMessage());
    }
    if (registry != null) {
      registry.close();
    }
    if (emulator != null) {
      emulator.close();
    }
    deleteTree(work);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not delete " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static void log(String message) {
    System.out.println(
        "[" + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + message);
  }
}
