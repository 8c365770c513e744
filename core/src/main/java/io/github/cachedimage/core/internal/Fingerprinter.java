package io.github.cachedimage.core.internal;

import io.github.cachedimage.core.BuildRecord.FileState;
import io.github.cachedimage.core.BuildSpec;
import io.github.cachedimage.core.HelpfulSuggestions;
import io.github.cachedimage.core.InvalidBuildSpecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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

  /** The fingerprint and the per-entry states (the next record's stat cache). */
  public record Result(String fingerprint, Map<String, FileState> files, int rehashed) {}

  private Fingerprinter() {}

  public static Result fingerprint(
      BuildSpec spec, Map<String, FileState> previous, List<Path> excludedDirectories) {
    Path context = spec.contextDirectory();
    if (!Files.isDirectory(context)) {
      throw new InvalidBuildSpecException(HelpfulSuggestions.contextMissing(context), context);
    }
    Path dockerfile = spec.dockerfile();
    if (!Files.isRegularFile(dockerfile)) {
      throw new InvalidBuildSpecException(
          HelpfulSuggestions.dockerfileMissing(dockerfile), dockerfile);
    }
    Map<String, FileState> prior = previous == null ? Map.of() : previous;
    DockerIgnore ignore;
    Path ignoreFile = DockerIgnore.locate(context, dockerfile);
    try {
      ignore = DockerIgnore.read(ignoreFile);
    } catch (IOException e) {
      throw new InvalidBuildSpecException(
          HelpfulSuggestions.unreadableContextFile(ignoreFile, reason(e)), ignoreFile, e);
    }
    Walker walker = new Walker(context, ignore, prior, excludedDirectories);
    walker.walk(context);
    // The Dockerfile is an input even when outside the context or ignored.
    String dockerfileKey = dockerfileKey(spec);
    if (!walker.files.containsKey(dockerfileKey)) {
      walker.add(dockerfileKey, dockerfile, attributes(dockerfile));
    }

    MessageDigest sha = sha256();
    StringBuilder text = new StringBuilder("cached-image fingerprint v1\n");
    text.append("dockerfile ").append(walker.files.get(dockerfileKey).sha256()).append('\n');
    walker.files.forEach(
        (path, state) ->
            text.append("entry ")
                .append(path)
                .append('\0')
                .append(Integer.toOctalString(Math.max(state.mode(), 0)))
                .append(' ')
                .append(state.sha256())
                .append('\n'));
    spec.buildArgs()
        .forEach((k, v) -> text.append("build-arg ").append(k).append('=').append(v).append('\n'));
    text.append("target ").append(Objects.toString(spec.target(), "")).append('\n');
    text.append("platform ").append(Objects.toString(spec.platform(), "")).append('\n');
    spec.labels()
        .forEach((k, v) -> text.append("label ").append(k).append('=').append(v).append('\n'));
    new TreeSet<>(spec.secrets().stream().map(s -> s.id()).toList())
        .forEach(id -> text.append("secret ").append(id).append('\n'));
    String fingerprint =
        HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    return new Result(fingerprint, walker.files, walker.rehashed);
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
   * Walks the context with one stat per entry ({@code PosixFileAttributes} where available, which
   * also carry size, mtime and file key), in sorted order, skipping excluded directories unless an
   * exception pattern could re-include something below them (as BuildKit does).
   */
  private static final class Walker {
    private final Path context;
    private final DockerIgnore ignore;
    private final Map<String, FileState> prior;
    private final List<Path> excluded;
    final Map<String, FileState> files = new TreeMap<>();
    int rehashed;
    private final byte[] buffer = new byte[1 << 16];
    private final MessageDigest sha = sha256();

    Walker(Path context, DockerIgnore ignore, Map<String, FileState> prior, List<Path> excluded) {
      this.context = context;
      this.ignore = ignore;
      this.prior = prior;
      this.excluded = excluded == null ? List.of() : excluded;
    }

    void walk(Path dir) {
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        entries.forEach(children::add);
      } catch (IOException e) {
        throw new InvalidBuildSpecException(
            HelpfulSuggestions.unreadableContextFile(dir, reason(e)), dir, e);
      }
      for (Path child : children) {
        String rel = slashes(context.relativize(child));
        boolean excludedByIgnore = ignore.excludes(rel);
        BasicFileAttributes attrs;
        try {
          attrs = attributes(child);
        } catch (InvalidBuildSpecException e) {
          if (excludedByIgnore) {
            continue;
          }
          throw e;
        }
        if (attrs.isDirectory()) {
          if (excluded.contains(child)) {
            continue;
          }
          if (excludedByIgnore) {
            if (ignore.hasExclusions()) {
              walk(child);
            }
            continue;
          }
          files.put(rel, new FileState(0, 0, mode(attrs), null, "dir", false));
          walk(child);
        } else if (!excludedByIgnore) {
          add(rel, child, attrs);
        }
      }
    }

    void add(String rel, Path file, BasicFileAttributes attrs) {
      int mode = mode(attrs);
      if (attrs.isSymbolicLink()) {
        try {
          files.put(
              rel, new FileState(0, 0, mode, null, "link:" + Files.readSymbolicLink(file), false));
        } catch (IOException e) {
          throw new InvalidBuildSpecException(
              HelpfulSuggestions.unreadableContextFile(file, reason(e)), file, e);
        }
        return;
      }
      if (!attrs.isRegularFile()) {
        return; // sockets, fifos: BuildKit skips them too
      }
      long size = attrs.size();
      long mtime = toNanos(attrs.lastModifiedTime().toInstant());
      String key = attrs.fileKey() == null ? null : attrs.fileKey().toString();
      FileState before = prior.get(rel);
      if (before != null && before.sameStat(size, mtime, mode, key)) {
        files.put(rel, before);
        return;
      }
      long hashedAt = toNanos(Instant.now());
      String hash = hash(file);
      rehashed++;
      files.put(rel, new FileState(size, mtime, mode, key, hash, FileState.racy(mtime, hashedAt)));
    }

    private String hash(Path file) {
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
