package io.github.cachedimage.core;

import io.github.cachedimage.core.internal.RecordIndex;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The record behind a verdict made from its index, read on first use: a no-op Maven build never
 * needs more than the index holds. Checked against the index, so it never hands out a record other
 * than the one the verdict was made against.
 */
final class IndexedRecord implements Supplier<BuildRecord> {
  private final Path recordDirectory;
  private final String image;
  private final RecordIndex index;
  private BuildRecord record;

  IndexedRecord(Path recordDirectory, String image, RecordIndex index) {
    this.recordDirectory = recordDirectory;
    this.image = image;
    this.index = index;
  }

  @Override
  public synchronized BuildRecord get() {
    if (record == null) {
      record =
          BuildRecord.read(recordDirectory, image)
              .filter(r -> r.fingerprint().equals(index.fingerprint()))
              .filter(r -> r.imageId().equals(index.imageId()))
              .orElseThrow(
                  () ->
                      new CachedImageException(
                          image
                              + ": the record "
                              + BuildRecord.file(recordDirectory, image)
                              + " changed or went away since the up-to-date check; check again"));
    }
    return record;
  }
}
