package io.github.cachedimage.core;

import io.github.cachedimage.core.record.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The zero-config cache used when a spec configures neither cache-from nor cache-to: a BuildKit
 * {@code type=local} cache per image under {@link #root()}. BuildKit keeps every old blob when
 * exporting into the directory it imported from (moby/buildkit#1896), so each build exports into a
 * fresh generation directory and a pointer file, {@code CURRENT}, is then replaced atomically; the
 * previous generation is deleted. The cache stays the size of one build's layers.
 */
final class DefaultLocalCache {

  /** System property overriding the root. */
  public static final String ROOT_PROPERTY = "cachedimage.cacheDirectory";

  /** Environment variable overriding the root (when the system property is not set). */
  public static final String ROOT_ENV = "CACHED_IMAGE_CACHE_DIR";

  private static final String POINTER = "CURRENT";

  private final Path directory;

  public DefaultLocalCache(Path root, String image) {
    this.directory = root.resolve(image.replace('/', '_').replace(':', '_'));
  }

  /**
   * {@code -Dcachedimage.cacheDirectory}, else {@code $CACHED_IMAGE_CACHE_DIR}, else {@code
   * ${user.home}/.cache/cached-image}.
   */
  public static Path root() {
    String property = System.getProperty(ROOT_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath();
    }
    String env = System.getenv(ROOT_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env).toAbsolutePath();
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cached-image");
  }

  public Path directory() {
    return directory;
  }

  /** The current generation, if one was promoted and still holds a cache. */
  public Optional<Path> current() {
    try {
      Path pointer = directory.resolve(POINTER);
      if (!Files.isRegularFile(pointer)) {
        return Optional.empty();
      }
      String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
      Path generation = directory.resolve(name);
      if (name.isEmpty()
          || name.contains("/")
          || !Files.isRegularFile(generation.resolve("index.json"))) {
        return Optional.empty();
      }
      return Optional.of(generation);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * A new, empty generation directory for buildx to export into. Created here, so a directory that
   * takes no writes is known before the build.
   */
  public Path newGeneration() throws IOException {
    Files.createDirectories(directory);
    return Files.createDirectory(
        directory.resolve(
            "gen-"
                + Instant.now().toEpochMilli()
                + "-"
                + UUID.randomUUID().toString().substring(0, 8)));
  }

  /**
   * Makes the generation current if buildx exported into it; deletes the previous one and leftovers
   * of interrupted builds. Returns whether it was promoted.
   */
  public boolean promote(Path generation) throws IOException {
    if (!Files.isRegularFile(generation.resolve("index.json"))) {
      deleteTree(generation);
      return false;
    }
    AtomicFiles.write(
        directory.resolve(POINTER),
        generation.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    Instant staleBefore = Instant.now().minus(Duration.ofMinutes(30));
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "gen-*")) {
      for (Path entry : entries) {
        if (entry.equals(generation)) {
          continue;
        }
        // Previous generations: gone at once; a concurrent build's fresh export: left alone.
        if (Files.getLastModifiedTime(entry).toInstant().isBefore(staleBefore)
            || !Files.exists(entry.resolve("index.json"))
            || isOlder(entry, generation)) {
          deleteTree(entry);
        }
      }
    }
    return true;
  }

  private static boolean isOlder(Path entry, Path generation) {
    return entry.getFileName().toString().compareTo(generation.getFileName().toString()) < 0;
  }

  public static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
