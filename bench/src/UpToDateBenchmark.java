import com.github.dockerjava.api.DockerClient;
import io.github.cachedimage.core.engine.DockerEndpoints;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.Freshness;
import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.engine.UnixSocketImages;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Side by side, in one run: cached-image's no-op decision (fingerprint of a 1,000-file / 50 MB
 * context with the stat cache, plus the engine's image check) against a no-change {@code docker
 * buildx build} of the same image. Run by {@code bench/run-up-to-date}.
 *
 * <p>Modes: {@code all WORKDIR RESULTS.md} (the benchmark), {@code once WORKDIR} (one decision in
 * a fresh JVM, as a Maven build sees it: prints milliseconds including class loading).
 */
public class UpToDateBenchmark {
  static final String IMAGE = "cachedimage-bench/context1000";
  static final int FILES = 1000;
  static final int FILE_SIZE = 50 * 1024 * 1024 / FILES;

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path work = Path.of(args[1]).toAbsolutePath();
    Path context = work.resolve("context");
    Path records = context.resolve(RecordStore.DEFAULT_DIRECTORY);
    BuildSpec spec = BuildSpec.builder(IMAGE, context).build();
    if (mode.equals("once")) {
      // as the Maven plugin does it: the engine's local socket when there is one
      long t0 = System.nanoTime();
      DockerImages engine =
          UnixSocketImages.forEndpoint(DockerEndpoints.fromEnvironment()).map(DockerImages.class::cast).orElseGet(() -> new DockerJavaImages(client(), "DOCKER_HOST"));
      Freshness f = CachedImages.create(BuildLog.silent(), engine, DockerEndpoints::fromEnvironment).check(spec, records);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println(f.status() + " " + ms);
      return;
    }
    Path results = Path.of(args[2]);
    createContext(context);
    try (DockerClient client = client()) {
      CachedImages images = CachedImages.create(printing(), new DockerJavaImages(client, "DOCKER_HOST"), DockerEndpoints::fromEnvironment);
      System.out.println("building once ...");
      EnsureResult built = images.ensure(spec, records);
      System.out.printf("first build: %d ms (buildx %d ms)%n", built.elapsed().toMillis(), built.record().buildMillis());

      // (a) our no-op decision, warm JVM
      CachedImages quiet =
          CachedImages.create(
              BuildLog.silent(),
              UnixSocketImages.forEndpoint(DockerEndpoints.fromEnvironment()).map(DockerImages.class::cast).orElseGet(() -> new DockerJavaImages(client, "DOCKER_HOST")), DockerEndpoints::fromEnvironment);
      List<Long> check = new ArrayList<>();
      List<Long> ensure = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        long t0 = System.nanoTime();
        Freshness f = quiet.check(spec, records);
        check.add(System.nanoTime() - t0);
        if (!f.isFresh()) {
          throw new IllegalStateException("expected fresh, got " + f.describe());
        }
        t0 = System.nanoTime();
        EnsureResult r = quiet.ensure(spec, records);
        ensure.add(System.nanoTime() - t0);
        if (r.built()) {
          throw new IllegalStateException("ensure built again");
        }
      }
      // (b) a no-change docker buildx build of the same image (image present, cache warm)
      List<Long> buildx = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        long t0 = System.nanoTime();
        Process p =
            new ProcessBuilder(
                    "docker", "buildx", "build", "--progress=quiet", "--load",
                    "--tag", built.record().contentTag(), context.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor() != 0) {
          throw new IllegalStateException("buildx failed");
        }
        buildx.add(System.nanoTime() - t0);
      }
      // (c) a fresh JVM's first decision (class loading included): what one Maven build pays
      List<Long> cold = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Process p =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "UpToDateBenchmark", "once", work.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        String[] parts = out.split("\\s+");
        if (!out.contains("FRESH")) {
          throw new IllegalStateException("cold check not fresh: " + out);
        }
        cold.add(Long.parseLong(parts[parts.length - 1]) * 1_000_000);
      }
      double checkMs = median(check.subList(5, check.size()));
      double ensureMs = median(ensure.subList(5, ensure.size()));
      double buildxMs = median(buildx.subList(2, buildx.size()));
      double coldMs = median(cold);
      long bytes = 0;
      try (var s = Files.walk(context)) {
        bytes = s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
      }
      String report =
          String.format(
              java.util.Locale.ROOT,
              "context: %d files, %.1f MB%n"
                  + "(a) no-op decision, CachedImages.check (median of 20, warm JVM): %.1f ms%n"
                  + "(a') CachedImages.ensure when fresh (incl. locks, median of 20): %.1f ms%n"
                  + "(b) no-change docker buildx build --load (median of 5):        %.1f ms%n"
                  + "ratio (a)/(b): %.3f   (a')/(b): %.3f   target <= 0.15%n"
                  + "(c) first decision in a fresh JVM, class loading included (median of 5): %.1f ms"
                  + "  ratio (c)/(b): %.3f%n",
              FILES + 1, bytes / 1e6, checkMs, ensureMs, buildxMs, checkMs / buildxMs, ensureMs / buildxMs,
              coldMs, coldMs / buildxMs);
      System.out.print(report);
      if (results != null) {
        String machine = Runtime.getRuntime().availableProcessors() + " CPUs, Java " + System.getProperty("java.version");
        // Rewrites the first section only: the sections after it are the history of this target.
        String previous = Files.exists(results) ? Files.readString(results) : "";
        int history = previous.indexOf("\n## ");
        Files.writeString(
            results,
            "# Up-to-date benchmark\n\n"
                + "`bench/run-up-to-date` on " + java.time.LocalDate.now() + " (" + machine + "):\n\n```\n"
                + report + "```\n\n"
                + "(a) is the decision the mojo and the extension make before doing nothing: read the\n"
                + "record's index, stat every context file and compare the stat listing with the recorded\n"
                + "one, ask the engine whether it has the image. (b) is what running buildx anyway would cost\n"
                + "at best (no cache export). (c) is (a) in a fresh JVM including class loading, a plain\n"
                + "`java` process with a 61-jar class path; what a Maven build pays is measured by\n"
                + "`bench/run-maven-no-op` (below). Load average while measuring: "
                + loadAverage()
                + ".\n"
                + (history < 0 ? "" : previous.substring(history)));
      }
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  static double median(List<Long> nanos) {
    long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    double m = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
    return m / 1e6;
  }

  static DockerClient client() {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    var http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build();
    return DockerClientImpl.getInstance(config, http);
  }

  static BuildLog printing() {
    return new BuildLog() {
      public void info(String m) { System.out.println(m); }
      public void warn(String m) { System.out.println("WARN " + m); }
      public void debug(String m) {}
      public void progress(String line) {}
    };
  }

  static void createContext(Path context) throws IOException {
    if (Files.isRegularFile(context.resolve("Dockerfile"))) {
      return;
    }
    Random random = new Random(42);
    byte[] data = new byte[FILE_SIZE];
    for (int i = 0; i < FILES; i++) {
      Path file = context.resolve(String.format("d%02d/f%04d.bin", i / 50, i));
      Files.createDirectories(file.getParent());
      random.nextBytes(data);
      Files.write(file, data);
    }
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM cachedimage-local/busybox:1\nCOPY . /data/\nCMD [\"ls\", \"/data\"]\n");
    Files.writeString(context.resolve(".dockerignore"), "target\n");
  }
}
