package io.github.cachedimage.core.internal;

import io.github.cachedimage.core.BuildRecord.FileState;
import io.github.cachedimage.core.BuildSpec;
import io.github.cachedimage.core.HelpfulSuggestions;
import io.github.cachedimage.core.InvalidBuildSpecException;
import io.github.cachedimage.core.SecretSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;

/**
 * Computes the fingerprint of a build: SHA-256 over the Dockerfile, every context entry BuildKit
 * would send (path, permission bits, content hash; directories and symlinks too), build args,
 * target, platform, labels and secret ids. Reuses the hashes of files whose stat is unchanged since
 * the previous record (see {@link FileState}).
 *
 * <p>Not in the fingerprint, on purpose: pull/no-cache/builder and the cache specs (they change
 * how, not what, is built); base images named in {@code FROM} (not re-resolved on the fast path:
 * build with {@code pull} or a changed input to pick up a new base); the record directory itself
 * (it lives in the context by default and changes with every build).
 */
public final class Fingerprinter {

  /**
   * The fingerprint and the per-entry states (the next record's stat cache).
   *
   * @param dockerfileKey which entry is the Dockerfile ({@link #dockerfileKey})
   * @param dockerfileDigest the Dockerfile's content hash, part of the fingerprint
   * @param filesDigest SHA-256 of the entry list, part of the fingerprint
   * @param specText the spec's part of the fingerprint ({@link #specText})
   * @param stats the scan's stat listing ({@link Scan#stats}) when every entry may be trusted next
   *     time by its stat alone; {@code null} when some file was hashed too soon after its last
   *     change (see {@link FileState#racy})
   */
  public record Result(
      String fingerprint,
      Map<String, FileState> files,
      String dockerfileKey,
      String dockerfileDigest,
      String filesDigest,
      String specText,
      Listing stats,
      int rehashed) {}

  private Fingerprinter() {}

  public static Result fingerprint(
      BuildSpec spec, Map<String, FileState> previous, List<Path> excludedDirectories) {
    return fingerprint(spec, previous, null, excludedDirectories);
  }

  /**
   * @param previous the previous stat cache
   * @param previousFilesDigest the {@link Result#filesDigest} computed with {@code previous}, if
   *     known: when every current entry is a previous one, unchanged, the entry list is not hashed
   *     again (a cold JVM hashes it interpreted, ~100 KB for 1,000 files)
   */
  public static Result fingerprint(
      BuildSpec spec,
      Map<String, FileState> previous,
      String previousFilesDigest,
      List<Path> excludedDirectories) {
    return fingerprint(spec, scan(spec, excludedDirectories), previous, previousFilesDigest);
  }

  /**
   * The context as BuildKit would send it, stat only: no file is read. Separate from {@link
   * #fingerprint(BuildSpec, Scan, Map, String)} so a caller can read the previous stat cache while
   * this runs.
   *
   * @throws InvalidBuildSpecException if the Dockerfile or context is missing or unreadable
   */
  public static Scan scan(BuildSpec spec, List<Path> excludedDirectories) {
    Path context = spec.contextDirectory();
    if (!Files.isDirectory(context)) {
      throw new InvalidBuildSpecException(HelpfulSuggestions.contextMissing(context), context);
    }
    Path dockerfile = spec.dockerfile();
    if (!Files.isRegularFile(dockerfile)) {
      throw new InvalidBuildSpecException(
          HelpfulSuggestions.dockerfileMissing(dockerfile), dockerfile);
    }
    DockerIgnore ignore;
    Path ignoreFile = DockerIgnore.locate(context, dockerfile);
    try {
      ignore = DockerIgnore.read(ignoreFile);
    } catch (IOException e) {
      throw new InvalidBuildSpecException(
          HelpfulSuggestions.unreadableContextFile(ignoreFile, reason(e)), ignoreFile, e);
    }
    String dockerfileKey = dockerfileKey(spec);
    Scan scan = new Scan(ignore, excludedDirectories, dockerfileKey);
    scan.walk(context, "", ignore.root());
    // The Dockerfile is an input even when outside the context or ignored.
    if (!scan.dockerfileListed) {
      scan.add(dockerfileKey, dockerfile, attributes(dockerfile));
    }
    return scan;
  }

  /**
   * The fingerprint of a scanned context: hashes the files whose stat differs from {@code
   * previous}, and the entry list unless every entry is a previous one.
   */
  public static Result fingerprint(
      BuildSpec spec, Scan scan, Map<String, FileState> previous, String previousFilesDigest) {
    Map<String, FileState> prior = previous == null ? Map.of() : previous;
    Map<String, FileState> files = new HashMap<>(scan.all.size() * 2);
    int reused = 0;
    int rehashed = 0;
    boolean racy = false;
    Hasher hasher = null;
    for (Stat now : scan.all) {
      FileState before = prior.get(now.rel());
      if (now.kind() != null) {
        FileState entry = new FileState(0, 0, now.mode(), null, now.kind(), false);
        if (entry.equals(before)) {
          reused++; // a directory or link as it was
        }
        files.put(now.rel(), entry);
        continue;
      }
      if (before != null
          && before.sameStat(now.size(), now.mtimeNanos(), now.mode(), now.fileKeyText())) {
        files.put(now.rel(), before);
        reused++;
        continue;
      }
      if (hasher == null) {
        hasher = new Hasher();
      }
      long hashedAt = toNanos(Instant.now());
      String hash = hasher.hash(now.path());
      rehashed++;
      FileState entry =
          new FileState(
              now.size(),
              now.mtimeNanos(),
              now.mode(),
              now.fileKeyText(),
              hash,
              FileState.racy(now.mtimeNanos(), hashedAt));
      racy |= entry.racy(); // reused entries never are: sameStat refuses racy ones
      files.put(now.rel(), entry);
    }
    String filesDigest =
        previousFilesDigest != null && reused == files.size() && files.size() == prior.size()
            ? previousFilesDigest
            : filesDigest(files);
    String dockerfileKey = dockerfileKey(spec);
    String dockerfileDigest = files.get(dockerfileKey).sha256();
    String specText = specText(spec);
    return new Result(
        combine(specText, dockerfileDigest, filesDigest),
        files,
        dockerfileKey,
        dockerfileDigest,
        filesDigest,
        specText,
        racy ? null : scan.stats(),
        rehashed);
  }

  /**
   * The fingerprint from its parts: the Dockerfile's and the entry list's digests, and the spec's
   * build args, target, platform, labels and secret ids ({@link #specText}). What the record's
   * index relies on; no caller outside this class needs it since the check compares the spec text.
   */
  static String combine(BuildSpec spec, String dockerfileDigest, String filesDigest) {
    return combine(specText(spec), dockerfileDigest, filesDigest);
  }

  private static String combine(String specText, String dockerfileDigest, String filesDigest) {
    StringBuilder text = new StringBuilder("cached-image fingerprint v2\n");
    text.append("dockerfile ").append(dockerfileDigest).append('\n');
    text.append("files ").append(filesDigest).append('\n');
    return sha256Hex(text.append(specText));
  }

  /**
   * The spec's part of the fingerprint, as text: build args, target, platform, labels and secret
   * ids, one per line. When a scan's stat listing equals the recorded one, every entry is as
   * recorded, and this text equal to the recorded one means the same fingerprint: the check then
   * compares text and hashes nothing (a cold SHA-256 costs the check milliseconds).
   */
  public static String specText(BuildSpec spec) {
    StringBuilder text = new StringBuilder(128);
    for (Map.Entry<String, String> arg : spec.buildArgs().entrySet()) {
      text.append("build-arg ").append(arg.getKey()).append('=').append(arg.getValue());
      text.append('\n');
    }
    text.append("target ").append(Objects.toString(spec.target(), "")).append('\n');
    text.append("platform ").append(Objects.toString(spec.platform(), "")).append('\n');
    for (Map.Entry<String, String> label : spec.labels().entrySet()) {
      text.append("label ").append(label.getKey()).append('=').append(label.getValue());
      text.append('\n');
    }
    Set<String> secretIds = new TreeSet<>();
    for (SecretSpec secret : spec.secrets()) {
      secretIds.add(secret.id());
    }
    for (String id : secretIds) {
      text.append("secret ").append(id).append('\n');
    }
    return text.toString();
  }

  /** Every entry: path, permission bits and content hash (or {@code dir}, {@code link:...}). */
  private static String filesDigest(Map<String, FileState> files) {
    StringBuilder text = new StringBuilder(files.size() * 100);
    for (Map.Entry<String, FileState> e : new TreeMap<>(files).entrySet()) {
      text.append("entry ").append(e.getKey()).append('\0');
      text.append(Integer.toOctalString(Math.max(e.getValue().mode(), 0))).append(' ');
      text.append(e.getValue().sha256()).append('\n');
    }
    return sha256Hex(text);
  }

  private static String sha256Hex(CharSequence text) {
    return HexFormat.of()
        .formatHex(sha256().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
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
   * What differs between a recorded build and the current inputs, as paths and pseudo paths ({@code
   * build-arg X}, {@code target}, ...), sorted within each group.
   */
  public static List<String> changes(
      BuildSpec recordedSpec,
      Map<String, FileState> recorded,
      BuildSpec spec,
      Map<String, FileState> current) {
    List<String> changed = new ArrayList<>();
    Set<String> keys = new TreeSet<>(recorded.keySet());
    keys.addAll(current.keySet());
    for (String key : keys) {
      FileState before = recorded.get(key);
      FileState now = current.get(key);
      if (before == null
          || now == null
          || !before.sha256().equals(now.sha256())
          || before.mode() != now.mode()) {
        changed.add(key);
      }
    }
    if (recordedSpec != null) {
      diffMap("build-arg ", recordedSpec.buildArgs(), spec.buildArgs(), changed);
      diffMap("label ", recordedSpec.labels(), spec.labels(), changed);
      if (!Objects.equals(recordedSpec.target(), spec.target())) {
        changed.add("target");
      }
      if (!Objects.equals(recordedSpec.platform(), spec.platform())) {
        changed.add("platform");
      }
      Set<String> secretsBefore =
          new TreeSet<>(recordedSpec.secrets().stream().map(s -> s.id()).toList());
      Set<String> secretsNow = new TreeSet<>(spec.secrets().stream().map(s -> s.id()).toList());
      if (!secretsBefore.equals(secretsNow)) {
        changed.add("secrets");
      }
    }
    return changed;
  }

  private static void diffMap(
      String prefix, Map<String, String> before, Map<String, String> now, List<String> out) {
    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(now.keySet());
    for (String key : keys) {
      if (!Objects.equals(before.get(key), now.get(key))) {
        out.add(prefix + key);
      }
    }
  }

  /**
   * The context walked with one stat per entry ({@code PosixFileAttributes} where available, which
   * also carry size, mtime and file key), skipping excluded directories unless an exception pattern
   * could re-include something below them (as BuildKit does).
   *
   * <p>Besides the entries it makes a stat listing ({@link Listing}) in a fixed order (each
   * directory's entries, then its subdirectories'). Recorded in the record's index, it lets an
   * unchanged context be recognised by comparing two listings, instead of looking up and comparing
   * a thousand entries one by one in a cold JVM. A different order only costs that shortcut.
   */
  public static final class Scan {
    private final DockerIgnore ignore;
    private final List<Path> excluded;
    private final String dockerfileKey;
    final List<Stat> all = new ArrayList<>();
    private final StringBuilder names = new StringBuilder(32 * 1024);
    private long[] numbers = new long[4096];
    private int count;
    private Listing listing;
    boolean dockerfileListed;

    private Scan(DockerIgnore ignore, List<Path> excluded, String dockerfileKey) {
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

    private void append(Directory directory) {
      names.append(directory.names);
      if (count + directory.count > numbers.length) {
        numbers = Arrays.copyOf(numbers, Math.max(numbers.length * 2, count + directory.count));
      }
      System.arraycopy(directory.numbers, 0, numbers, count, directory.count);
      count += directory.count;
    }
  }

  /**
   * One directory of a {@link Scan}: its entries' stats and their listing. The scan lists a
   * directory's own entries, then its subdirectories' in the order met, whichever thread walked
   * what.
   */
  private static final class Directory extends RecursiveAction {
    private final Scan scan;
    private final Path dir;
    private final String prefix;
    private final boolean[] parentResults;
    private final List<Directory> subdirectories = new ArrayList<>();
    private final List<Stat> stats = new ArrayList<>();
    private final StringBuilder names = new StringBuilder(1024);
    private long[] numbers = new long[128];
    private int count;
    private RuntimeException failure;

    Directory(Scan scan, Path dir, String relDir, boolean[] parentResults) {
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
      String[] names = LIST_NAMES ? dir.toFile().list() : null;
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
            HelpfulSuggestions.unreadableContextFile(dir, reason(cause)), dir, cause);
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
        attrs = attributes(child);
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
          entry(new Stat(rel, child, 0, 0, mode(attrs), null, "dir"));
        }
        subdirectories.add(new Directory(scan, child, rel, ignore.enter(parentResults, rel)));
      } else if (!excludedByIgnore) {
        add(rel, child, attrs);
      }
    }

    void add(String rel, Path file, BasicFileAttributes attrs) {
      int mode = mode(attrs);
      if (attrs.isSymbolicLink()) {
        try {
          entry(new Stat(rel, file, 0, 0, mode, null, "link:" + Files.readSymbolicLink(file)));
        } catch (IOException e) {
          throw new InvalidBuildSpecException(
              HelpfulSuggestions.unreadableContextFile(file, reason(e)), file, e);
        }
        return;
      }
      if (!attrs.isRegularFile()) {
        return; // sockets, fifos: BuildKit skips them too
      }
      long mtime = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
      entry(new Stat(rel, file, attrs.size(), mtime, mode, attrs.fileKey(), null));
    }

    private void entry(Stat stat) {
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
      for (Stat stat : stats) {
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

  /**
   * One scanned entry.
   *
   * @param kind {@code null} for a regular file, {@code dir}, or {@code link:<target>}
   */
  private record Stat(
      String rel, Path path, long size, long mtimeNanos, int mode, Object fileKey, String kind) {
    String fileKeyText() {
      return fileKey == null ? null : fileKey.toString();
    }
  }

  /** SHA-256 of file contents, with one buffer. */
  private static final class Hasher {
    private final byte[] buffer = new byte[1 << 16];
    private final MessageDigest sha = sha256();

    String hash(Path file) {
      sha.reset();
      try (InputStream in = Files.newInputStream(file)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          sha.update(buffer, 0, n);
        }
      } catch (IOException e) {
        throw new InvalidBuildSpecException(
            HelpfulSuggestions.unreadableContextFile(file, reason(e)), file, e);
      }
      return HexFormat.of().formatHex(sha.digest());
    }
  }

  /** Whether {@code File.list()} names round-trip to their bytes: UTF-8 file name encoding. */
  private static final boolean LIST_NAMES =
      "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))
          || "UTF8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private static BasicFileAttributes attributes(Path file) {
    try {
      return POSIX
          ? Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          : Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new InvalidBuildSpecException(
          HelpfulSuggestions.unreadableContextFile(file, reason(e)), file, e);
    }
  }

  private static int mode(BasicFileAttributes attrs) {
    if (!(attrs instanceof PosixFileAttributes posix)) {
      return -1;
    }
    int mode = 0;
    for (PosixFilePermission p : posix.permissions()) {
      mode |= 1 << (8 - p.ordinal());
    }
    return mode;
  }

  private static long toNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  static String slashes(Path path) {
    return path.toString().replace('\\', '/');
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
