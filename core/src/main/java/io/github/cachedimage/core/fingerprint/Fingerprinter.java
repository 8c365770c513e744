package io.github.cachedimage.core.fingerprint;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
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

  /**
   * The fingerprint and the per-entry states (the next record's stat cache).
   *
   * @param dockerfileKey which entry is the Dockerfile ({@link ContextScan#dockerfileKey})
   * @param dockerfileDigest the Dockerfile's content hash, part of the fingerprint
   * @param filesDigest SHA-256 of the entry list, part of the fingerprint
   * @param specText the spec's part of the fingerprint ({@link #specText})
   * @param stats the scan's stat listing ({@link ContextScan#stats}) when every entry may be
   *     trusted next time by its stat alone; {@code null} when some file was hashed too soon after
   *     its last change (see {@link FileState#racy})
   * @param bases the images the Dockerfile builds on ({@code dockerfile.BaseImages}), each with the
   *     ID the engine gave it, or {@code ""} when the engine had no such image
   */
  public record Result(
      String fingerprint,
      Map<String, FileState> files,
      String dockerfileKey,
      String dockerfileDigest,
      String filesDigest,
      String specText,
      Listing stats,
      int rehashed,
      Map<String, String> bases) {}

  private Fingerprinter() {}

  /**
   * What differs between a recorded build and the current inputs, as paths and pseudo paths ({@code
   * build-arg X}, {@code target}, ...), sorted within each group.
   */
  public static List<String> changes(
      BuildSpec recordedSpec,
      Map<String, FileState> recorded,
      BuildSpec spec,
      Map<String, FileState> current) {
    return InputChanges.between(recordedSpec, recorded, spec, current);
  }

  /**
   * The base images whose ID changed, as {@code base image <ref> changed: <old> -> <new>} (short
   * IDs, {@code (none)} for an image the engine did not have), in the current order.
   */
  public static List<String> baseChanges(Map<String, String> recorded, Map<String, String> now) {
    return InputChanges.bases(recorded, now);
  }

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
    return fingerprint(
        spec, ContextScan.of(spec, excludedDirectories), previous, previousFilesDigest);
  }

  /**
   * The fingerprint of a scanned context: hashes the files whose stat differs from {@code
   * previous}, and the entry list unless every entry is a previous one.
   */
  public static Result fingerprint(
      BuildSpec spec,
      ContextScan scan,
      Map<String, FileState> previous,
      String previousFilesDigest) {
    return fingerprint(spec, scan, previous, previousFilesDigest, Map.of());
  }

  /**
   * @param bases the Dockerfile's base images with the IDs the engine gave them ({@code ""}: none)
   */
  public static Result fingerprint(
      BuildSpec spec,
      ContextScan scan,
      Map<String, FileState> previous,
      String previousFilesDigest,
      Map<String, String> bases) {
    Map<String, FileState> prior = previous == null ? Map.of() : previous;
    Map<String, FileState> files = new HashMap<>(scan.all.size() * 2);
    int reused = 0;
    int rehashed = 0;
    boolean racy = false;
    Hasher hasher = null;
    for (ContextScan.Entry now : scan.all) {
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
    String dockerfileKey = ContextScan.dockerfileKey(spec);
    String dockerfileDigest = files.get(dockerfileKey).sha256();
    String specText = specText(spec);
    return new Result(
        combine(specText, dockerfileDigest, filesDigest, bases),
        files,
        dockerfileKey,
        dockerfileDigest,
        filesDigest,
        specText,
        racy ? null : scan.stats(),
        rehashed,
        bases);
  }

  /**
   * The fingerprint from its parts: the Dockerfile's and the entry list's digests, and the spec's
   * build args, target, platform, labels and secret ids ({@link #specText}). What the record's
   * index relies on; no caller outside this class needs it since the check compares the spec text.
   */
  static String combine(
      BuildSpec spec, String dockerfileDigest, String filesDigest, Map<String, String> bases) {
    return combine(specText(spec), dockerfileDigest, filesDigest, bases);
  }

  /** v3: v2 plus the base images' IDs, so a rebuilt or re-pulled base changes the fingerprint. */
  private static String combine(
      String specText, String dockerfileDigest, String filesDigest, Map<String, String> bases) {
    StringBuilder text = new StringBuilder("cached-image fingerprint v3\n");
    text.append("dockerfile ").append(dockerfileDigest).append('\n');
    text.append("files ").append(filesDigest).append('\n');
    text.append(specText);
    for (Map.Entry<String, String> base : bases.entrySet()) {
      String id = base.getValue();
      text.append("base ").append(base.getKey()).append(' ');
      text.append(id.isEmpty() ? "none" : id).append('\n');
    }
    return sha256Hex(text);
  }

  /**
   * The key under which runners share an image built from these inputs: the fingerprint's parts
   * without machine-specific values. Paths are context-relative already; a base image is named by
   * its digest ({@code baseDigests}: the engine's ID when it has the base, which is the registry's
   * digest with the containerd image store, else the registry's digest), never by "absent".
   *
   * @param baseDigests every base of {@code fp.bases()} with its digest
   */
  public static String reuseKey(Result fp, Map<String, String> baseDigests) {
    StringBuilder text = new StringBuilder("cached-image reuse v1\n");
    text.append("dockerfile ").append(fp.dockerfileDigest()).append('\n');
    text.append("files ").append(fp.filesDigest()).append('\n');
    text.append(fp.specText());
    for (Map.Entry<String, String> base : new TreeMap<>(baseDigests).entrySet()) {
      text.append("base ").append(base.getKey()).append(' ').append(base.getValue()).append('\n');
    }
    return sha256Hex(text);
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
            null, HelpfulSuggestions.unreadableContextFile(file, ContextScan.reason(e)), file, e);
      }
      return HexFormat.of().formatHex(sha.digest());
    }
  }

  private static long toNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
