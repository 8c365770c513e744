package io.github.cachedimage.it.support;

import java.nio.file.Path;

/** Where things are, from the system properties the it/ pom's failsafe configuration passes. */
public final class ItPaths {
  private ItPaths() {}

  static String property(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + name + " is not set; run the ITs through Maven (failsafe in it/)");
    }
    return value;
  }

  /** {@code it/samples}. */
  public static Path samples() {
    return Path.of(property("cachedimage.it.samples"));
  }

  /** The repository root (parent of {@code it/}). */
  public static Path projectRoot() {
    return samples().getParent().getParent();
  }

  /** {@code it/target/it-work}: copies of samples, caches, logs. */
  public static Path work() {
    return Path.of(property("cachedimage.it.work"));
  }

  /** The local repository invoker:install filled with this build's artifacts. */
  public static Path itRepository() {
    return Path.of(property("cachedimage.it.repo"));
  }

  /** The user's repository, offered to samples as a file:// remote for third-party artifacts. */
  public static Path userRepository() {
    return Path.of(property("cachedimage.it.userRepo"));
  }

  /** The project version, substituted for {@code @project.version@} in sample POMs. */
  public static String version() {
    return property("cachedimage.it.version");
  }

  public static Path mavenHome() {
    return Path.of(property("maven.home"));
  }
}
