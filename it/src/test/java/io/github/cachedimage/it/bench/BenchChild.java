package io.github.cachedimage.it.bench;

import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.junit.CachedImageResolver;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * One measurement in a fresh JVM, as a test run or a Maven build is one: prints {@code RESULT <ms>}
 * (and {@code INFO ...} lines) for {@link RunAllBenchmark}. Not a test.
 *
 * <pre>
 *   tc-alone                              Testcontainers finding the engine (any TC test pays it)
 *   ext-first IMAGE RECORDS               CachedImageResolver.ensure as a test run's first call
 *                                         (Testcontainers' start-up happens inside it)
 *   ext-after-tc IMAGE RECORDS            the same ensure once Testcontainers is up: the check alone
 *   fingerprint CONTEXT                   core's Fingerprinter hashing every file (no stat cache)
 *   image-from-dockerfile NAME CONTEXT    Testcontainers' ImageFromDockerfile once it is up
 * </pre>
 */
public final class BenchChild {
  private BenchChild() {}

  public static void main(String[] args) {
    long t0;
    switch (args[0]) {
      case "tc-alone" -> {
        t0 = System.nanoTime();
        DockerClientFactory.instance().client();
      }
      case "ext-first" -> {
        t0 = System.nanoTime();
        info(CachedImageResolver.ensure(args[1], Path.of(args[2])).asCanonicalNameString());
      }
      case "ext-after-tc" -> {
        DockerClientFactory.instance().client();
        t0 = System.nanoTime();
        info(CachedImageResolver.ensure(args[1], Path.of(args[2])).asCanonicalNameString());
      }
      case "fingerprint" -> {
        t0 = System.nanoTime();
        BuildSpec spec =
            BuildSpec.builder("cachedimage-bench/fingerprint", Path.of(args[1])).build();
        Fingerprinter.Result r = Fingerprinter.fingerprint(spec, Map.of(), List.of());
        info(r.files().size() + " entries, " + r.fingerprint());
      }
      case "image-from-dockerfile" -> {
        DockerClientFactory.instance().client();
        t0 = System.nanoTime();
        // deleteOnExit false: the harness removes it; the context and .dockerignore as the
        // Dockerfile's directory gives them, as a team's test would write it
        info(
            new ImageFromDockerfile(args[1], false)
                .withDockerfile(Path.of(args[2]).resolve("Dockerfile"))
                .get());
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.out.printf(Locale.ROOT, "RESULT %.1f%n", (System.nanoTime() - t0) / 1e6);
  }

  private static void info(String line) {
    System.out.println("INFO " + line);
  }
}
