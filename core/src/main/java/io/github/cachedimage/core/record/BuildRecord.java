package io.github.cachedimage.core.record;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.spec.BuildSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What was built, from which inputs: a plain value. {@link RecordStore} reads and writes it ({@code
 * target/cached-image/<image>.json}), atomically, so a failed or interrupted build leaves the
 * previous record untouched.
 *
 * <p>{@link #files} is a stat cache: for each context file hashed, its size, modification time
 * (nanoseconds), permission bits, file key (device and inode) and content hash. The next
 * fingerprint rehashes only files whose stat differs. Safe enough: an edit changes size or mtime,
 * an atomic replace changes the inode; the remaining hole (content rewritten with identical size
 * and mtime, which needs an explicit {@code touch -d}) is the one git and make accept too. A file
 * modified within the timestamp granularity of its hashing could keep its mtime, so such "racy"
 * entries are not cached (see {@link FileState#racy(long, long)}).
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
 * @param baseImages the images the Dockerfile builds on, each with the ID the engine had for it
 *     when the build started ({@code ""}: none); part of the fingerprint
 * @param engine the engine the image was built on and loaded into, or {@code null} if unknown; not
 *     part of any decision (an image ID names the same content on every engine), only of messages
 *     when another engine lacks the image
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
    Map<String, String> baseImages,
    Engine engine,
    String pulledFrom,
    int formatVersion) {

  /**
   * 3 since fingerprint v3 (v2, the digests of the Dockerfile and the entry list and the spec, plus
   * the base images' IDs): a record of an older format reads as none (unusable, with the reason),
   * so the first build after an upgrade says {@code no record} rather than {@code inputs changed}
   * with no changed path to show.
   */
  public static final int FORMAT_VERSION = 3;

  /** Without the engine (records written before it was kept, and tests). */
  public BuildRecord(
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
      Map<String, String> baseImages,
      int formatVersion) {
    this(
        image,
        spec,
        fingerprint,
        imageId,
        digest,
        tags,
        contentTag,
        builtAt,
        buildMillis,
        cacheSummary,
        files,
        baseImages,
        null,
        null,
        formatVersion);
  }

  public BuildRecord {
    tags = tags == null ? List.of() : List.copyOf(tags);
    files = files == null ? Map.of() : Map.copyOf(files);
    baseImages =
        baseImages == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(baseImages));
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
   * The engine an image was built on.
   *
   * @param id {@code docker info}'s ID ({@code ""} if the engine gave none)
   * @param host the endpoint it was reached at, e.g. {@code unix:///var/run/docker.sock}
   */
  public record Engine(String id, String host) {}

  /** This record with another stat cache (same files, new stats): everything else the same. */
  public BuildRecord withFiles(Map<String, FileState> files) {
    return new BuildRecord(
        image,
        spec,
        fingerprint,
        imageId,
        digest,
        tags,
        contentTag,
        builtAt,
        buildMillis,
        cacheSummary,
        files,
        baseImages,
        engine,
        pulledFrom,
        formatVersion);
  }

  /** The image ID shortened for logs: {@code sha256:} and 12 hex digits. */
  @JsonIgnore
  public String shortImageId() {
    return HelpfulSuggestions.shortId(imageId);
  }
}
