package io.github.cachedimage.core.record;

import io.github.cachedimage.core.base.CachedImageException;
import java.util.function.Supplier;

/**
 * The record behind a verdict made from its index, read on first use: a no-op build never needs
 * more than the index holds. Checked against the index, so it never hands out a record other than
 * the one the verdict was made against.
 */
final class IndexedRecord implements Supplier<BuildRecord> {
  private final RecordStore store;
  private final RecordIndex index;
  private BuildRecord record;

  IndexedRecord(RecordStore store, RecordIndex index) {
    this.store = store;
    this.index = index;
  }

  @Override
  public synchronized BuildRecord get() {
    if (record == null) {
      BuildRecord read = store.read().record();
      if (read == null
          || !read.fingerprint().equals(index.fingerprint())
          || !read.imageId().equals(index.imageId())) {
        throw new CachedImageException(
            store.image()
                + ": the record "
                + store.recordFile()
                + " changed or went away since the up-to-date check; check again");
      }
      record = read;
    }
    return record;
  }
}
