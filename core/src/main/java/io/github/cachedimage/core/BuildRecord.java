package io.github.cachedimage.core;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What was built, from which inputs: written to {@code target/cached-image/<image>.json} after each
 * successful build, atomically (temporary file, then rename), so a failed or interrupted build
 * leaves the previous record untouched.
 *
 * <p>{@link #files} is a stat cache: for each context file hashed, its size, modification time
 * (nanoseconds), permission bits, file key (device and inode) and content hash. The next
 * fingerprint rehashes only files whose stat differs. Safe enough: an edit changes size or mtime,
 * an atomic replace changes the inode; the remaining hole (content rewritten with identical size
 * and mtime, which needs an explicit {@code touch -d}) is the one git and make accept too. A file
 * modified within the timestamp granularity of its hashing could keep its mtime, so such "racy"
 * entries are not cached (see {@link FileState#racy}).
 *
 * @param image repository name
 * @param spec the full spec it was built from
 * @param fingerprint SHA-256 of every build input (hex)
 * @param imageId the ID the engine reports for the image ({@code sha256:...})
 * @param digest {@code containerimage.digest} from buildx metadata (the image index/manifest
 *     digest)
 * @param tags every tag given ({@code <image>:fp-<12 hex>}, {@code <image>:latest})
 * @param contentTag the tag derived from the fingerprint, safe to run: it never moves to other
 *     inputs
 * @param builtAt when the build finished
 * @param buildMillis how long buildx took
 * @param cacheSummary steps and cache hits
 * @param files the stat cache, keyed by context-relative path with {@code /}
 * @param formatVersion record format, {@value #FORMAT_VERSION}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildRecord(
    String image,
    BuildSpec spec,
    String fingerprint,
    String imageId,
    String digest,
    List<String> tags,
    String contentTag,
    Instant builtAt,
    long buildMillis,
    CacheSummary cacheSummary,
    Map<String, FileState> files,
    int formatVersion) {

  /** Where records live, relative to a module's base directory. */
  public static final String RECORD_DIRECTORY = "target/cached-image";

  /**
   * 2 since fingerprint v2 (digests of the Dockerfile and the entry list, then the spec): a record
   * of format 1 reads as none, so the first build after an upgrade says {@code no record} rather
   * than {@code inputs changed} with no changed path to show.
   */
  public static final int FORMAT_VERSION = 2;

  /**
   * Data binding, for tests and tools; records are read and written by streaming (cold-JVM cost).
   */
  static ObjectMapper json() {
    return Json.MAPPER;
  }

  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            // paths as plain strings ("/work/greeter"), not file: URIs, for people reading records
            .registerModule(
                new com.fasterxml.jackson.databind.module.SimpleModule()
                    .addSerializer(
                        Path.class,
                        com.fasterxml.jackson.databind.ser.std.ToStringSerializer.instance))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);
  }

  public BuildRecord {
    tags = tags == null ? List.of() : List.copyOf(tags);
    files = files == null ? Map.of() : Map.copyOf(files);
  }

  /**
   * Cache use of one build.
   *
   * @param steps Dockerfile steps buildx ran or found cached ({@code [n/m]} vertices)
   * @param cached steps reported {@code CACHED}
   * @param from the cache specs imported from (buildx syntax)
   */
  public record CacheSummary(int steps, int cached, List<String> from) {
    public CacheSummary {
      from = from == null ? List.of() : List.copyOf(from);
    }
  }

  /**
   * Stat of one context file when its content was hashed.
   *
   * @param size bytes
   * @param mtimeNanos modification time, nanoseconds since the epoch
   * @param mode POSIX permission bits (e.g. 0755), or -1 where the file system has none
   * @param fileKey device and inode as the JDK reports them, or {@code null}
   * @param sha256 content hash (hex); {@code dir} for directories, {@code link:<target>} for links
   * @param racy hashed within the mtime granularity of its last change: rehash next time, whatever
   *     the stat says
   */
  public record FileState(
      long size, long mtimeNanos, int mode, String fileKey, String sha256, boolean racy) {
    /**
     * Whether the file was modified so shortly before it was hashed that a later change might keep
     * the same mtime (coarse timestamps: 2 s for whole-second mtimes, 100 ms otherwise).
     */
    public static boolean racy(long mtimeNanos, long hashedAtNanos) {
      long granularity = mtimeNanos % 1_000_000_000L == 0 ? 2_000_000_000L : 100_000_000L;
      return hashedAtNanos - mtimeNanos < granularity;
    }

    public boolean sameStat(long size, long mtimeNanos, int mode, String fileKey) {
      return !racy
          && this.size == size
          && this.mtimeNanos == mtimeNanos
          && this.mode == mode
          && java.util.Objects.equals(this.fileKey, fileKey);
    }

    // Written out: a record's generated equals is bootstrapped through invokedynamic, which
    // costs ~15 ms on its first call in a cold JVM, and the up-to-date check calls it.
    @Override
    public boolean equals(Object o) {
      return o instanceof FileState f
          && size == f.size
          && mtimeNanos == f.mtimeNanos
          && mode == f.mode
          && racy == f.racy
          && java.util.Objects.equals(fileKey, f.fileKey)
          && java.util.Objects.equals(sha256, f.sha256);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(size, mtimeNanos, mode, fileKey, sha256, racy);
    }
  }

  /** The record file for an image: {@code recordDirectory/<image with / and : as _>.json}. */
  public static Path file(Path recordDirectory, String image) {
    return recordDirectory.resolve(fileStem(image) + ".json");
  }

  /** The lock file serialising builds of one image: next to the record, {@code .lock}. */
  public static Path lockFile(Path recordDirectory, String image) {
    return recordDirectory.resolve(fileStem(image) + ".lock");
  }

  private static String fileStem(String image) {
    return image.replace('/', '_').replace(':', '_');
  }

  /**
   * Reads the record of an image. Empty when there is none, or when it cannot be read (a record
   * from an incompatible version is as good as none: the image is rebuilt and the record
   * rewritten).
   */
  public static Optional<BuildRecord> read(Path recordDirectory, String image) {
    Path file = file(recordDirectory, image);
    try {
      BuildRecord record =
          io.github.cachedimage.core.internal.RecordReader.read(Files.readAllBytes(file));
      if (record.formatVersion() != FORMAT_VERSION || !image.equals(record.image())) {
        return Optional.empty();
      }
      return Optional.of(record);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Writes this record atomically into the directory (created if needed); returns the file. */
  public Path write(Path recordDirectory) {
    Path target = file(recordDirectory, image);
    try {
      Files.createDirectories(recordDirectory);
      io.github.cachedimage.core.internal.AtomicFiles.write(
          target, io.github.cachedimage.core.internal.RecordWriter.write(this));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write build record " + target, e);
    }
  }

  /** The image ID shortened for logs: {@code sha256:} and 12 hex digits. */
  @JsonIgnore
  public String shortImageId() {
    return HelpfulSuggestions.shortId(imageId);
  }
}
