package io.github.cachedimage.it.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local base images the samples build on ({@code cachedimage-local/busybox:1}, {@code
 * cachedimage-local/jre:17}): nothing can be pulled, so tests make sure {@code scripts/base-images}
 * (idempotent) has run.
 */
public final class TestImages {
  public static final String BUSYBOX = "cachedimage-local/busybox:1";
  public static final String JRE = "cachedimage-local/jre:17";
  private static volatile boolean ensured;

  private TestImages() {}

  public static synchronized void ensureBaseImages() {
    if (ensured) {
      return;
    }
    if (Docker.imageId(BUSYBOX).isEmpty() || Docker.imageId(JRE).isEmpty()) {
      Path script = ItPaths.projectRoot().resolve("scripts/base-images");
      Processes.run(List.of(script.toString()), Duration.ofMinutes(5)).requireSuccess();
    }
    ensured = true;
  }
}
