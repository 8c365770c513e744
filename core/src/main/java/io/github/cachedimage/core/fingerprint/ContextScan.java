package io.github.cachedimage.core.fingerprint;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * The context walked with one stat per entry ({@code PosixFileAttributes} where available, which
 * also carry size, mtime and file key), skipping excluded directories unless an exception pattern
 * could re-include something below them (as BuildKit does).
 *
 * <p>Besides the entries it makes a stat listing ({@link Listing}) in a fixed order (each
 * directory's entries, then its subdirectories'). Recorded in the record's index, it lets an
 * unchanged context be recognised by comparing two listings, instead of looking up and comparing a
 * thousand entries one by one in a cold JVM. A different order only costs that shortcut.
 */
public final class ContextScan {
  final DockerIgnore ignore;
  final List<Path> excluded;
  final String dockerfileKey;
  final List<Entry> all = new ArrayList<>();
  private final StringBuilder names = new StringBuilder(32 * 1024);
  private long[] numbers = new long[4096];
  private int count;
  private Listing listing;
  boolean dockerfileListed;

  private ContextScan(DockerIgnore ignore, List<Path> excluded, String dockerfileKey) {
    this.ignore = ignore;
    this.excluded = excluded == null ? List.of() : excluded;
    this.dockerfileKey = dockerfileKey;
  }

  /** The stat listing, made once. */
  public Listing stats() {
    if (listing == null) {
      listing = new Listing(names.toString(), Arrays.copyOf(numbers, count));
    }
    return listing;
  }

  /**
   * Walks the directories on the common fork-join pool as well as this thread: in a cold JVM each
   * entry costs tens of microseconds of interpreted JDK code, and CPUs are otherwise idle.
   */
  void walk(Path dir, String relDir, boolean[] parentResults) {
    Directory root = new Directory(this, dir, relDir, parentResults);
    // The common pool: the calling thread joins in, and falls back to doing it all when the
    // pool is busy elsewhere (a private pool measured no faster and costs its own threads).
    ForkJoinPool.commonPool().invoke(root);
    root.collect();
  }

  void add(String rel, Path file, BasicFileAttributes attrs) {
    Directory single = new Directory(this, file.getParent(), "", null);
    single.add(rel, file, attrs);
    single.collect();
  }

  void append(Directory directory) {
    names.append(directory.names);
    if (count + directory.count > numbers.length) {
      numbers = Arrays.copyOf(numbers, Math.max(numbers.length * 2, count + directory.count));
    }
    System.arraycopy(directory.numbers, 0, numbers, count, directory.count);
    count += directory.count;
  }

  /**
   * The context as BuildKit would send it, stat only: no file is read. Separate from {@link
   * Fingerprinter#fingerprint(BuildSpec, ContextScan, Map, String)} so a caller can read the
   * previous stat cache while this runs.
   *
   * @throws InvalidBuildSpecException if the Dockerfile or context is missing or unreadable
   */
  public static ContextScan of(BuildSpec spec, List<Path> excludedDirectories) {
    Path context = spec.contextDirectory();
    if (!Files.isDirectory(context)) {
      throw new InvalidBuildSpecException(
          "contextDirectory",
          Files.exists(context)
              ? HelpfulSuggestions.contextNotADirectory(context)
              : HelpfulSuggestions.contextMissing(context),
          context);
    }
    Path dockerfile = spec.dockerfile();
    if (!Files.isRegularFile(dockerfile)) {
      throw new InvalidBuildSpecException(
          "dockerfile", HelpfulSuggestions.dockerfileMissing(dockerfile), dockerfile);
    }
    DockerIgnore ignore;
    Path ignoreFile = DockerIgnore.locate(context, dockerfile);
    try {
      ignore = DockerIgnore.read(ignoreFile);
    } catch (IOException e) {
      throw new InvalidBuildSpecException(
          null, HelpfulSuggestions.unreadableContextFile(ignoreFile, reason(e)), ignoreFile, e);
    }
    String dockerfileKey = dockerfileKey(spec);
    ContextScan scan = new ContextScan(ignore, excludedDirectories, dockerfileKey);
    scan.walk(context, "", ignore.root());
    // The Dockerfile is an input even when outside the context or ignored.
    if (!scan.dockerfileListed) {
      scan.add(dockerfileKey, dockerfile, attributes(dockerfile));
    }
    return scan;
  }

  /** The key of the Dockerfile among the entries: context-relative if inside, else absolute. */
  public static String dockerfileKey(BuildSpec spec) {
    Path dockerfile = spec.dockerfile();
    if (dockerfile.startsWith(spec.contextDirectory())) {
      return slashes(spec.contextDirectory().relativize(dockerfile));
    }
    return slashes(dockerfile);
  }

  /**
   * One scanned entry.
   *
   * @param kind {@code null} for a regular file, {@code dir}, or {@code link:<target>}
   */
  record Entry(
      String rel, Path path, long size, long mtimeNanos, int mode, Object fileKey, String kind) {
    String fileKeyText() {
      return fileKey == null ? null : fileKey.toString();
    }
  }

  /** Whether {@code File.list()} names round-trip to their bytes: UTF-8 file name encoding. */
  static final boolean LIST_NAMES =
      "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))
          || "UTF8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

  static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  static BasicFileAttributes attributes(Path file) {
    try {
      return POSIX
          ? Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          : Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new InvalidBuildSpecException(
          null, HelpfulSuggestions.unreadableContextFile(file, reason(e)), file, e);
    }
  }

  static int mode(BasicFileAttributes attrs) {
    if (!(attrs instanceof PosixFileAttributes posix)) {
      return -1;
    }
    int mode = 0;
    for (PosixFilePermission p : posix.permissions()) {
      mode |= 1 << (8 - p.ordinal());
    }
    return mode;
  }

  static String slashes(Path path) {
    return path.toString().replace('\\', '/');
  }

  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
