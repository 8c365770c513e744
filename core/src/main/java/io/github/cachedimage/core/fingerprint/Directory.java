package io.github.cachedimage.core.fingerprint;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;

/**
 * One directory of a {@link ContextScan}: its entries' stats and their listing. The scan lists a
 * directory's own entries, then its subdirectories' in the order met, whichever thread walked what.
 */
final class Directory extends RecursiveAction {
  private final ContextScan scan;
  private final Path dir;
  private final String prefix;
  private final boolean[] parentResults;
  private final List<Directory> subdirectories = new ArrayList<>();
  private final List<ContextScan.Entry> stats = new ArrayList<>();
  final StringBuilder names = new StringBuilder(1024);
  long[] numbers = new long[128];
  int count;
  private RuntimeException failure;

  Directory(ContextScan scan, Path dir, String relDir, boolean[] parentResults) {
    this.scan = scan;
    this.dir = dir;
    this.prefix = relDir.isEmpty() ? "" : relDir.concat("/");
    this.parentResults = parentResults;
  }

  @Override
  protected void compute() {
    try {
      walk();
    } catch (RuntimeException e) {
      failure = e; // rethrown as it is by collect(), not re-created by the pool
    }
    invokeAll(subdirectories);
  }

  private void walk() {
    // java.io's list() where it is safe: one native call for all names, as Strings, where a
    // DirectoryStream costs a native call, a lock and two Path objects per entry, interpreted
    // when cold. A name decoded into a String must encode back to the same bytes, though:
    // only under UTF-8 file name encoding, and only if no name was malformed (U+FFFD).
    String[] names = ContextScan.LIST_NAMES ? dir.toFile().list() : null;
    if (names == null || anyMalformed(names)) {
      walkStream(); // the raw bytes of each name; says why, too, if it cannot list
      return;
    }
    for (String name : names) {
      visit(prefix.concat(name), dir.resolve(name));
    }
  }

  private void walkStream() {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path child : stream) {
        visit(prefix.concat(child.getFileName().toString()), child);
      }
    } catch (IOException | DirectoryIteratorException e) {
      IOException cause = e instanceof IOException io ? io : (IOException) e.getCause();
      throw new InvalidBuildSpecException(
          null,
          HelpfulSuggestions.unreadableContextFile(dir, ContextScan.reason(cause)),
          dir,
          cause);
    }
  }

  private static boolean anyMalformed(String[] names) {
    for (String name : names) {
      if (name.indexOf('\uFFFD') >= 0) {
        return true;
      }
    }
    return false;
  }

  private void visit(String rel, Path child) {
    DockerIgnore ignore = scan.ignore;
    boolean excludedByIgnore = ignore.excludes(rel, parentResults);
    BasicFileAttributes attrs;
    try {
      attrs = ContextScan.attributes(child);
    } catch (InvalidBuildSpecException e) {
      if (excludedByIgnore) {
        return;
      }
      throw e;
    }
    if (attrs.isDirectory()) {
      if (scan.excluded.contains(child)) {
        return;
      }
      if (excludedByIgnore && !ignore.hasExclusions()) {
        return;
      }
      if (!excludedByIgnore) {
        entry(new ContextScan.Entry(rel, child, 0, 0, ContextScan.mode(attrs), null, "dir"));
      }
      subdirectories.add(new Directory(scan, child, rel, ignore.enter(parentResults, rel)));
    } else if (!excludedByIgnore) {
      add(rel, child, attrs);
    }
  }

  void add(String rel, Path file, BasicFileAttributes attrs) {
    int mode = ContextScan.mode(attrs);
    if (attrs.isSymbolicLink()) {
      try {
        entry(
            new ContextScan.Entry(
                rel, file, 0, 0, mode, null, "link:" + Files.readSymbolicLink(file)));
      } catch (IOException e) {
        throw new InvalidBuildSpecException(
            null, HelpfulSuggestions.unreadableContextFile(file, ContextScan.reason(e)), file, e);
      }
      return;
    }
    if (!attrs.isRegularFile()) {
      return; // sockets, fifos: BuildKit skips them too
    }
    long mtime = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    entry(new ContextScan.Entry(rel, file, attrs.size(), mtime, mode, attrs.fileKey(), null));
  }

  private void entry(ContextScan.Entry stat) {
    stats.add(stat);
    names.append(stat.rel());
    if (stat.kind() == null) {
      names.append("\0\0");
    } else {
      names.append('\0').append(stat.kind()).append('\0');
    }
    if (count + 4 > numbers.length) {
      numbers = Arrays.copyOf(numbers, numbers.length * 2);
    }
    numbers[count] = stat.size();
    numbers[count + 1] = stat.mtimeNanos();
    numbers[count + 2] = stat.mode();
    // the file key's hash (device and inode): enough to notice a replaced file, and cheaper
    // than its text, which only the stat cache of a changed context needs
    numbers[count + 3] = stat.fileKey() == null ? 0 : stat.fileKey().hashCode();
    count += 4;
  }

  /** Into the scan, in listing order, after the pool is done; the first failure is thrown. */
  void collect() {
    if (failure != null) {
      throw failure;
    }
    for (ContextScan.Entry stat : stats) {
      scan.all.add(stat);
      if (!scan.dockerfileListed && stat.rel().equals(scan.dockerfileKey)) {
        scan.dockerfileListed = true;
      }
    }
    scan.append(this);
    for (Directory sub : subdirectories) {
      sub.collect();
    }
  }
}
