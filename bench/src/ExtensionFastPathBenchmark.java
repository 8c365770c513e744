import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.junit.CachedImageResolver;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.testcontainers.DockerClientFactory;

/**
 * The @CachedImage fast path (issue 4): record present, inputs unchanged, image present. What a test
 * run pays per image before its container starts, measured in fresh JVMs as a test run is one.
 *
 * <p>Per context (a small service-like one and the issue 3 one, 1,000 files / 50 MB), built once,
 * then in each of several fresh JVMs: Testcontainers' own start-up (finding the engine; paid by any
 * Testcontainers test, with or without cached-image), then the first check (class loading of the
 * core and Jackson included: the figure a test run pays per image), then warm repeats (a second
 * image in the same run pays about this). Uses the public CachedImageResolver.ensure, the code path
 * of the extension minus its per-run memo.
 *
 * <pre>
 *   java ExtensionFastPathBenchmark all WORKDIR RESULTS.md
 *   java ExtensionFastPathBenchmark measure CONTEXT RECORDS IMAGE   (one fresh-JVM sample)
 * </pre>
 */
public class ExtensionFastPathBenchmark {
  private static final int JVMS = 5;
  private static final int WARM = 20;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "all" -> all(Path.of(args[1]), Path.of(args[2]));
      case "measure" -> measure(Path.of(args[1]), Path.of(args[2]), args[3], true);
      case "baseline" -> measure(Path.of(args[1]), Path.of(args[2]), args[3], false);
      case "after-start-up" -> afterStartUp(Path.of(args[2]), args[3]);
      default -> throw new IllegalArgumentException("all | measure");
    }
  }

  private static void all(Path work, Path results) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("# @CachedImage fast-path benchmark");
    lines.add("");
    lines.add(
        "`bench/run-extension-fast-path` on "
            + LocalDate.now()
            + " ("
            + Runtime.getRuntime().availableProcessors()
            + " CPUs, Java "
            + System.getProperty("java.version")
            + "; "
            + JVMS
            + " fresh JVMs per context, "
            + WARM
            + " warm repeats each):");
    lines.add("");
    lines.add("```");
    for (int[] shape : new int[][] {{12, 1}, {1000, 50}}) {
      int files = shape[0];
      int megabytes = shape[1];
      String image = "cachedimage-bench/fast-path-" + files;
      Path context = work.resolve("context-" + files);
      Path records = work.resolve("records-" + files);
      makeContext(context, files, megabytes);
      System.out.println("building " + image + " once (" + files + " files, " + megabytes + " MB)");
      run(context, records, image, "measure"); // no record yet: builds, then measures
      List<double[]> baseline = new ArrayList<>();
      List<double[]> samples = new ArrayList<>();
      List<double[]> afterStartUp = new ArrayList<>();
      for (int i = 0; i < JVMS; i++) { // interleaved, so that load changes hit all alike
        baseline.add(run(context, records, image, "baseline"));
        samples.add(run(context, records, image, "measure"));
        afterStartUp.add(run(context, records, image, "after-start-up"));
      }
      double tcAlone = median(baseline, 0);
      double tcAndFirst = median(samples, 0);
      lines.add(String.format(Locale.ROOT, "context: %d files, %d MB", files, megabytes));
      lines.add(row("  Testcontainers start-up alone (any TC test pays it)  ", baseline, 0));
      lines.add(row("  start-up + first check, as a test run does           ", samples, 0));
      lines.add(
          String.format(
              Locale.ROOT,
              "  => first check per image per test run (difference)    median %7.1f ms",
              tcAndFirst - tcAlone));
      lines.add(row("  first check with the engine already found (no overlap)", afterStartUp, 0));
      lines.add(row("  second check in the run                              ", samples, 1));
      lines.add(row("  later checks in the run (median of " + WARM + " per JVM)       ", samples, 2));
      lines.add(row("  floor: one engine image inspect (Unix socket)        ", samples, 3));
    }
    lines.add("```");
    lines.add("");
    lines.add(
        "Target: at most 100 ms per image per test run for the check. The \"=>\" row is what a"
            + " test run pays on top of Testcontainers' own start-up (the check overlaps it), class"
            + " loading included; the row after it is the same first check when nothing can"
            + " overlap (an upper bound); later rows are what each further image or class pays.");
    lines.add(
        "The machine's load average when the run ended: "
            + String.format(
                Locale.ROOT,
                "%.1f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage())
            + ". Figures taken while other builds ran are upper bounds.");
    Files.write(results, lines, StandardCharsets.UTF_8);
    lines.forEach(System.out::println);
  }

  private static double median(List<double[]> samples, int column) {
    double[] values = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
    return values[values.length / 2];
  }

  private static String row(String label, List<double[]> samples, int column) {
    double[] values = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
    return String.format(
        Locale.ROOT,
        "%s median %7.1f ms  (min %.1f, max %.1f)",
        label,
        values[values.length / 2],
        values[0],
        values[values.length - 1]);
  }

  /** Runs one fresh JVM and parses its "RESULT tc first warm" line. */
  private static double[] run(Path context, Path records, String image, String mode)
      throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "-Dbasedir=" + context,
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "ExtensionFastPathBenchmark",
            mode,
            context.toString(),
            records.toString(),
            image);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("measurement failed:\n" + output);
    }
    return output
        .lines()
        .filter(l -> l.startsWith("RESULT "))
        .findFirst()
        .map(l -> Arrays.stream(l.substring(7).split(" ")).mapToDouble(Double::parseDouble).toArray())
        .orElseThrow(() -> new IllegalStateException("no RESULT line:\n" + output));
  }

  private static void measure(Path context, Path records, String image, boolean check) {
    long t0 = System.nanoTime();
    if (!check) {
      DockerClientFactory.instance().client();
      System.out.printf(Locale.ROOT, "RESULT %.1f 0 0 0%n", (System.nanoTime() - t0) / 1e6);
      return;
    }
    // As in a test run: the extension's first check also makes Testcontainers find the engine.
    CachedImageResolver.ensure(image, records);
    long t1 = System.nanoTime();
    CachedImageResolver.ensure(image, records);
    long t2 = System.nanoTime();
    double[] warm = new double[WARM];
    for (int i = 0; i < WARM; i++) {
      long s = System.nanoTime();
      CachedImageResolver.ensure(image, records);
      warm[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(warm);
    // The floor: one image inspect on the engine, which every check needs.
    String tag = CachedImageResolver.ensure(image, records).asCanonicalNameString();
    UnixSocketImages engine = new UnixSocketImages(Path.of("/var/run/docker.sock"));
    double[] inspect = new double[WARM];
    for (int i = 0; i < WARM; i++) {
      long s = System.nanoTime();
      engine.findImage(tag);
      inspect[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(inspect);
    System.out.printf(
        Locale.ROOT,
        "RESULT %.1f %.1f %.1f %.1f%n",
        (t1 - t0) / 1e6,
        (t2 - t1) / 1e6,
        warm[WARM / 2],
        inspect[WARM / 2]);
  }

  /** The first check of a JVM whose Testcontainers already found the engine: nothing overlaps. */
  private static void afterStartUp(Path records, String image) {
    DockerClientFactory.instance().client();
    long t0 = System.nanoTime();
    CachedImageResolver.ensure(image, records);
    System.out.printf(Locale.ROOT, "RESULT %.1f 0 0 0%n", (System.nanoTime() - t0) / 1e6);
  }

  /** FROM the local busybox, COPY of `files` files totalling `megabytes` MB. */
  private static void makeContext(Path context, int files, int megabytes) throws IOException {
    if (Files.exists(context.resolve("Dockerfile"))) {
      return;
    }
    Files.createDirectories(context);
    Files.writeString(
        context.resolve("Dockerfile"), "FROM cachedimage-local/busybox:1\nCOPY app/ /app/\n");
    Random random = new Random(42);
    long bytesPerFile = (long) megabytes * 1024 * 1024 / files;
    byte[] buffer = new byte[8192];
    for (int i = 0; i < files; i++) {
      Path file = context.resolve("app").resolve("d" + (i % 20)).resolve("f" + i + ".bin");
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        for (long written = 0; written < bytesPerFile; written += buffer.length) {
          random.nextBytes(buffer);
          out.write(buffer, 0, (int) Math.min(buffer.length, bytesPerFile - written));
        }
      }
    }
  }
}
