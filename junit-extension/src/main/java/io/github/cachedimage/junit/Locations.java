package io.github.cachedimage.junit;

import io.github.cachedimage.core.record.RecordStore;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a test run finds records, without configuration.
 *
 * @param baseDirectory the module's base directory: system property {@code basedir} (Surefire and
 *     Failsafe set it, forked or not), else {@code user.dir} (IDEs run tests in the module
 *     directory)
 * @param recordDirectory {@code cachedimage.recordDirectory} if given (relative to the base
 *     directory), else {@code <baseDirectory>/target/cached-image}, where the plugin writes
 */
record Locations(Path baseDirectory, Path recordDirectory) {

  /** The configuration parameter (or system property) that overrides the record directory. */
  static final String RECORD_DIRECTORY_PROPERTY = "cachedimage.recordDirectory";

  /**
   * Discovers the locations.
   *
   * @param configuration looks up a configuration value: JUnit's configuration parameters (which
   *     fall back to system properties), or system properties alone outside an extension context
   */
  static Locations discover(Function<String, Optional<String>> configuration) {
    String basedir = System.getProperty("basedir");
    if (basedir == null || basedir.isBlank()) {
      basedir = System.getProperty("user.dir");
    }
    Path base = Path.of(basedir).toAbsolutePath().normalize();
    Path records =
        configuration
            .apply(RECORD_DIRECTORY_PROPERTY)
            .filter(s -> !s.isBlank())
            .map(s -> base.resolve(s.trim()).normalize())
            .orElse(base.resolve(RecordStore.DEFAULT_DIRECTORY).normalize());
    return new Locations(base, records);
  }

  /**
   * Where this image's record is: the record directory when it holds the record or was given
   * explicitly; else, in a multi-module build, the directory a reactor root's pointer names (the
   * plugin's execution in another module leaves one, see {@code RecordStore#pointerFile}).
   */
  Path recordDirectoryFor(String image) {
    Path standard = baseDirectory.resolve(RecordStore.DEFAULT_DIRECTORY).normalize();
    if (!recordDirectory.equals(standard)
        || java.nio.file.Files.exists(new RecordStore(recordDirectory, image).recordFile())) {
      return recordDirectory;
    }
    return RecordStore.pointedTo(baseDirectory, image).orElse(recordDirectory);
  }

  /** Discovery from system properties only (the programmatic entry point). */
  static Locations fromSystemProperties() {
    return discover(name -> Optional.ofNullable(System.getProperty(name)));
  }
}
