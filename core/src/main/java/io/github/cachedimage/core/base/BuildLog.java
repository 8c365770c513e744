package io.github.cachedimage.core.base;

/**
 * Where the core reports what it does. The Maven plugin maps it to Maven's {@code Log}, the JUnit
 * extension to SLF4J. Implementations must be thread-safe.
 */
public interface BuildLog {
  void info(String message);

  void warn(String message);

  void debug(String message);

  /** One line of build progress (buildx {@code --progress=plain}), streamed as it happens. */
  default void progress(String line) {
    info(line);
  }

  /** A log that drops everything. */
  static BuildLog silent() {
    return new BuildLog() {
      @Override
      public void info(String message) {}

      @Override
      public void warn(String message) {}

      @Override
      public void debug(String message) {}

      @Override
      public void progress(String line) {}
    };
  }
}
