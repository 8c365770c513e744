package io.github.cachedimage.core.record;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where one image's record lives, and the only code that reads or writes it: {@code <image>.json}
 * (the record), {@code <image>.index} (what the up-to-date check needs, see {@link RecordIndex})
 * and {@code <image>.lock} (serialises builds), with {@code /} and {@code :} in the image name as
 * {@code _}.
 *
 * <pre>{@code
 * RecordStore store = new RecordStore(moduleDir.resolve(RecordStore.DEFAULT_DIRECTORY), "greeter");
 * RecordRead read = store.read(); // a record, none, or unreadable (and why)
 * }</pre>
 */
public final class RecordStore {

  /** Where records live, relative to a module's base directory. */
  public static final String DEFAULT_DIRECTORY = "target/cached-image";

  private final Path directory;
  private final String image;
  private final String stem;

  public RecordStore(Path directory, String image) {
    this.directory = directory;
    this.image = image;
    this.stem = image.replace('/', '_').replace(':', '_');
  }

  public Path directory() {
    return directory;
  }

  public String image() {
    return image;
  }

  /** {@code <image>.json}. */
  public Path recordFile() {
    return directory.resolve(stem.concat(".json"));
  }

  /** {@code <image>.pushed.json}: what the push goal published, next to the record. */
  public Path pushedFile() {
    return directory.resolve(stem.concat(".pushed.json"));
  }

  /** {@code <image>.index}, next to the record. */
  public Path indexFile() {
    return directory.resolve(stem.concat(".index"));
  }

  /** {@code <image>.lock}: the file lock serialising builds of the image across JVMs. */
  public Path lockFile() {
    return directory.resolve(stem.concat(".lock"));
  }

  /**
   * {@code <image>.location}: in a reactor's root record directory, where a module's plugin
   * execution keeps the record of this image (one line, the directory), so a test in another module
   * finds it without configuration.
   */
  public Path pointerFile() {
    return directory.resolve(stem.concat(".location"));
  }

  /** Points this directory's {@link #pointerFile()} at the directory holding the record. */
  public void writePointer(Path recordDirectory) {
    try {
      Files.createDirectories(directory);
      AtomicFiles.write(
          pointerFile(),
          recordDirectory.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CachedImageException(image + ": cannot write " + pointerFile() + ": " + e, e);
    }
  }

  /**
   * The directory holding the image's record by the pointer in {@code <dir>/target/cached-image} of
   * {@code start} or of its nearest ancestor that has one, if that record exists.
   */
  public static Optional<Path> pointedTo(Path start, String image) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path pointer = new RecordStore(dir.resolve(DEFAULT_DIRECTORY), image).pointerFile();
      if (Files.isRegularFile(pointer)) {
        try {
          Path target = Path.of(Files.readString(pointer, StandardCharsets.UTF_8).strip());
          if (Files.isRegularFile(new RecordStore(target, image).recordFile())) {
            return Optional.of(target);
          }
        } catch (IOException | RuntimeException e) {
          // an unreadable pointer is as good as none
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Reads the record. A record of another format version, or of another image, is unreadable here
   * (as good as none: the image is rebuilt and the record rewritten), with the reason.
   */
  public RecordRead read() {
    Path file = recordFile();
    BuildRecord record;
    try {
      record = RecordReader.read(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return RecordRead.NONE;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // one line: Jackson's own message has a second one about where the source is redacted
      var at = e.getLocation();
      return RecordRead.unreadable(
          file,
          "not valid JSON ("
              + e.getOriginalMessage()
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ")");
    } catch (IOException e) {
      return RecordRead.unreadable(file, "cannot read it: " + e.getMessage());
    } catch (RuntimeException e) {
      return RecordRead.unreadable(
          file, "not a build record of this version (" + e.getClass().getSimpleName() + ")");
    }
    if (record.formatVersion() != BuildRecord.FORMAT_VERSION) {
      return RecordRead.unreadable(
          file,
          "record format "
              + record.formatVersion()
              + ", this version reads "
              + BuildRecord.FORMAT_VERSION);
    }
    if (!image.equals(record.image())) {
      return RecordRead.unreadable(file, "it is the record of " + record.image());
    }
    return RecordRead.of(record);
  }

  /** The record, if there is a readable one. */
  public Optional<BuildRecord> record() {
    return Optional.ofNullable(read().record());
  }

  /** The index of the record now in the directory, if there is one that belongs to it. */
  public Optional<RecordIndex> index() {
    return RecordIndex.read(this);
  }

  /**
   * The record behind a verdict made from its index, read on first use and only if it is still the
   * one the index was made from.
   */
  public Supplier<BuildRecord> recordOf(RecordIndex index) {
    return new IndexedRecord(this, index);
  }

  /**
   * Writes the record, then its index, each atomically (the directory is created if needed). The
   * index is written from the fingerprint the record was made with; when that cannot be done (a
   * path the index format cannot carry, a write that fails), there is no index and the next check
   * reads the record itself.
   *
   * @param fingerprint what the record's fingerprint was computed with; {@code null} for no index
   * @return whether the index was written
   * @throws CachedImageException if the record cannot be written (the previous one is intact)
   */
  public boolean write(BuildRecord record, Fingerprinter.Result fingerprint) {
    Path target = recordFile();
    try {
      Files.createDirectories(directory);
      AtomicFiles.write(target, RecordWriter.write(record));
    } catch (IOException e) {
      throw new CachedImageException(
          HelpfulSuggestions.recordDirectoryUnwritable(
              image, directory, target.getFileName() + ": " + HelpfulSuggestions.ioCause(e)),
          e);
    }
    return writeIndex(record, fingerprint);
  }

  /**
   * Writes the index of the record now on disk (after a check that read the record itself), from
   * the fingerprint it was made with; none when that cannot be done.
   *
   * @return whether the index was written
   */
  public boolean writeIndex(BuildRecord record, Fingerprinter.Result fingerprint) {
    try {
      if (fingerprint == null) {
        Files.deleteIfExists(indexFile());
        return false;
      }
      IndexWriter.write(this, record, fingerprint);
      return Files.exists(indexFile());
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(indexFile());
      } catch (IOException ignored) {
        // an index that does not match the record's stat is ignored anyway
      }
      return false;
    }
  }
}
