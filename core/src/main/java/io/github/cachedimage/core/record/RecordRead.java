package io.github.cachedimage.core.record;

import java.nio.file.Path;

/**
 * What reading a record found: the record, no record at all, or a file that is not a usable record
 * (and why). The last two both mean "build"; the log says which.
 *
 * @param record the record, or {@code null}
 * @param problem why the file there is no usable record, or {@code null}
 */
public record RecordRead(BuildRecord record, String problem) {

  static final RecordRead NONE = new RecordRead(null, null);

  static RecordRead of(BuildRecord record) {
    return new RecordRead(record, null);
  }

  static RecordRead unreadable(Path file, String why) {
    return new RecordRead(null, file + ": " + why);
  }
}
