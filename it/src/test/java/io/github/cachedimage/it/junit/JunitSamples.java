package io.github.cachedimage.it.junit;

import io.github.cachedimage.it.support.ItPaths;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.Processes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The sample projects of the extension's ITs ({@code it/samples-junit/}) and their logs. */
final class JunitSamples {
  /** The logger the extension logs under, as slf4j-simple prints it. */
  static final String EXTENSION = "io.github.cachedimage.junit.CachedImage - ";

  private static final Set<String> PREFETCHED = new HashSet<>();

  private JunitSamples() {}

  static Path directory() {
    return ItPaths.samples().resolveSibling("samples-junit");
  }

  /** A fresh copy of {@code it/samples-junit/<name>}. */
  static MavenSample copy(String name) throws IOException {
    return MavenSample.copy(directory().resolve(name));
  }

  /**
   * Puts JUnit and Testcontainers of these versions (and what they need) into the user's
   * repository, which sample runs use as their only repository: samples pin versions the main build
   * does not use.
   */
  static synchronized void prefetch(String junit, String junitPlatform, String testcontainers) {
    if (!PREFETCHED.add(junit + "/" + testcontainers)) {
      return;
    }
    Processes.run(
            List.of(
                ItPaths.mavenHome().resolve("bin/mvn").toString(),
                "-B",
                "-q",
                "-Dmaven.repo.local=" + ItPaths.userRepository(),
                "-Djunit.version=" + junit,
                "-Djunit.platform.version=" + junitPlatform,
                "-Dtestcontainers.version=" + testcontainers,
                "dependency:go-offline"),
            Duration.ofMinutes(5),
            directory().resolve("prefetch"),
            Map.of())
        .requireSuccess();
  }

  /** Lines the extension logged (in the test JVMs) that contain the text. */
  static List<String> extensionLines(MavenSample.Run run, String text) {
    return run.log().lines().filter(l -> l.contains(EXTENSION) && l.contains(text)).toList();
  }

  /** Lines the plugin logged (Maven's own log) that contain the text. */
  static List<String> pluginLines(MavenSample.Run run, String text) {
    return run.log()
        .lines()
        .filter(l -> l.startsWith("[INFO] ") && !l.contains(EXTENSION) && l.contains(text))
        .toList();
  }
}
