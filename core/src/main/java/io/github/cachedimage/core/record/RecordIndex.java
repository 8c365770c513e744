package io.github.cachedimage.core.record;

import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.fingerprint.Listing;
import io.github.cachedimage.core.spec.BuildSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the up-to-date check needs from a record, next to it as {@code <image>.index}: the
 * fingerprint and its parts, the image ID and content tag, the stat listing of the scan it was made
 * from ({@link Fingerprinter.Result#stats()}) and the stat cache, in tab-separated lines.
 *
 * <p>Why not the JSON record: the check runs once per Maven JVM, always cold. Reading the record
 * there means loading a JSON parser (~35 ms of class loading and verification on a small machine)
 * and parsing its 1,000 entries interpreted (~40 ms). An unchanged context is recognised here by
 * comparing the current stat listing with the recorded one as bytes; the entries are parsed only
 * when that fails. The JSON record stays the record: people and tools read it, and builds that are
 * not up to date read it.
 *
 * <p>An index belongs to exactly one record file: it names the record's size, modification time and
 * file key, and is ignored when they differ (a record rewritten by anyone, any version). A missing
 * or unreadable index only costs the JSON read; it is written again after that check.
 */
public final class RecordIndex {
  static final String HEADER = "cached-image index 3";

  private final String fingerprint;
  private final String dockerfileKey;
  private final String filesDigest;
  private final String specText;
  private final String buildSpecText;
  private final String imageId;
  private final String contentTag;
  private final Map<String, String> bases;
  private final byte[] data;
  private final int statsFrom;
  private final int statsTo;
  private final int entriesFrom;
  private Listing stats;
  private boolean statsDecoded;
  private Optional<Map<String, FileState>> files;
  private BuildSpec buildSpec;

  private RecordIndex(
      String fingerprint,
      String dockerfileKey,
      String filesDigest,
      String specText,
      String buildSpecText,
      String imageId,
      String contentTag,
      Map<String, String> bases,
      byte[] data,
      int statsFrom,
      int statsTo,
      int entriesFrom) {
    this.fingerprint = fingerprint;
    this.dockerfileKey = dockerfileKey;
    this.filesDigest = filesDigest;
    this.specText = specText;
    this.buildSpecText = buildSpecText;
    this.imageId = imageId;
    this.contentTag = contentTag;
    this.bases = bases;
    this.data = data;
    this.statsFrom = statsFrom;
    this.statsTo = statsTo;
    this.entriesFrom = entriesFrom;
  }

  /** The record's fingerprint. */
  public String fingerprint() {
    return fingerprint;
  }

  /** Which entry was the Dockerfile ({@link Fingerprinter.Result#dockerfileKey()}). */
  public String dockerfileKey() {
    return dockerfileKey;
  }

  /** The entry-list digest within it ({@link Fingerprinter.Result#filesDigest}). */
  public String filesDigest() {
    return filesDigest;
  }

  /**
   * The spec's part of the fingerprint ({@link Fingerprinter#specText}): with the same Dockerfile
   * entry and an equal stat listing, equal text means the recorded fingerprint.
   */
  public String specText() {
    return specText;
  }

  /**
   * The spec the record was built from (the record's {@code spec}), decoded on first use; {@code
   * null} when the index holds none it can read (the JSON record then has it).
   */
  public synchronized BuildSpec buildSpec() {
    if (buildSpec == null && !buildSpecText.isEmpty()) {
      buildSpec = SpecLines.decode(buildSpecText);
    }
    return buildSpec;
  }

  /** The record's image ID. */
  public String imageId() {
    return imageId;
  }

  /** The record's content tag. */
  public String contentTag() {
    return contentTag;
  }

  /** The record's base images and their IDs ({@code ""}: the engine had none), in order. */
  public Map<String, String> bases() {
    return bases;
  }

  /**
   * Whether a scan's stat listing equals the one recorded: then every entry has the recorded stat,
   * and so the recorded content hash.
   */
  public boolean statsMatch(Listing current) {
    Listing recorded = listing();
    return recorded != null && recorded.equals(current);
  }

  /** The recorded stat listing, decoded on first use; {@code null} if none or unreadable. */
  public synchronized Listing listing() {
    if (!statsDecoded) {
      statsDecoded = true;
      try {
        stats = statsFrom < 0 ? null : Listing.fromBytes(data, statsFrom, statsTo);
      } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
        stats = null; // only the shortcut is lost
      }
    }
    return stats;
  }

  /**
   * The record's stat cache, parsed on first use; empty when the entries are malformed (a cut line,
   * a bad number): then the index is as good as none and the JSON record answers.
   */
  public synchronized Optional<Map<String, FileState>> files() {
    if (files == null) {
      Map<String, FileState> parsed;
      try {
        parsed = parseEntries();
      } catch (RuntimeException e) { // a bad number or a cut line, too
        parsed = null;
      }
      files = Optional.ofNullable(parsed);
    }
    return files;
  }

  private Map<String, FileState> parseEntries() {
    String text = new String(data, entriesFrom, data.length - entriesFrom, StandardCharsets.UTF_8);
    Map<String, FileState> parsed = new HashMap<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        return null; // unterminated
      }
      int a = text.indexOf('\t', start);
      int b = text.indexOf('\t', a + 1);
      int c = text.indexOf('\t', b + 1);
      int d = text.indexOf('\t', c + 1);
      int e = text.indexOf('\t', d + 1);
      int f = text.indexOf('\t', e + 1);
      if (a < 0 || f < 0 || f >= end) {
        return null;
      }
      String key = text.substring(d + 1, e);
      parsed.put(
          text.substring(start, a),
          new FileState(
              Long.parseLong(text, a + 1, b, 10),
              Long.parseLong(text, b + 1, c, 10),
              Integer.parseInt(text, c + 1, d, 10),
              key.isEmpty() ? null : key,
              text.substring(e + 1, f),
              text.charAt(f + 1) == '1'));
      start = end + 1;
    }
    return parsed;
  }

  /** The index of the store's record, if there is one that belongs to it. */
  static Optional<RecordIndex> read(RecordStore store) {
    byte[] data;
    try {
      data = Files.readAllBytes(store.indexFile());
    } catch (IOException e) {
      return Optional.empty(); // none, or as good as none: the JSON record answers
    }
    try {
      IndexLines in = new IndexLines(data);
      if (!HEADER.equals(in.next())
          || !store.image().equals(in.value("image"))
          || !recordStat(store.recordFile()).equals(in.value("record"))) {
        return Optional.empty();
      }
      String fingerprint = in.value("fingerprint");
      String dockerfileKey = in.value("dockerfile-key");
      String filesDigest = in.value("files");
      String specText = in.block("spec");
      String buildSpecText = in.block("build-spec");
      String imageId = in.value("image-id");
      String contentTag = in.value("content-tag");
      int baseCount = Integer.parseInt(in.value("bases"));
      Map<String, String> bases = new LinkedHashMap<>();
      for (int i = 0; i < baseCount; i++) {
        String line = in.next();
        int tab = line.indexOf('\t');
        bases.put(line.substring(0, tab), line.substring(tab + 1));
      }
      int statsLength = Integer.parseInt(in.value("stats"));
      int statsFrom = statsLength < 0 ? -1 : in.position;
      in.position += Math.max(statsLength, 0);
      int statsTo = in.position;
      in.value("entries");
      return Optional.of(
          new RecordIndex(
              fingerprint,
              dockerfileKey,
              filesDigest,
              specText,
              buildSpecText,
              imageId,
              contentTag,
              bases,
              data,
              statsFrom,
              statsTo,
              in.position));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Size, modification time and file key of the record file: a rewrite changes at least one. */
  static String recordStat(Path record) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(record, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    StringBuilder s = new StringBuilder(64);
    s.append(a.size()).append('\t').append(a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    return s.append('\t').append(a.fileKey()).toString();
  }
}
