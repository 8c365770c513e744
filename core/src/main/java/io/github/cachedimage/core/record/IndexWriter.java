package io.github.cachedimage.core.record;

import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a {@link RecordIndex} (format in {@code docs/no-op-check.md}); only {@link RecordStore}
 * calls it, right after the record the index describes.
 */
final class IndexWriter {
  private IndexWriter() {}

  /**
   * Writes the index of a record just written to the directory, from the fingerprint it was made
   * with, atomically. Writes none (and removes an old one) when a path or link target holds a tab
   * or line break, which this format cannot carry; the JSON record then answers every check.
   */
  static void write(RecordStore store, BuildRecord record, Fingerprinter.Result fp)
      throws IOException {
    Path target = store.indexFile();
    // The parts below vouch for the record's fingerprint only if they made it.
    if (unfit(fp.dockerfileKey()) || !fp.fingerprint().equals(record.fingerprint())) {
      Files.deleteIfExists(target);
      return;
    }
    StringBuilder entries = new StringBuilder(record.files().size() * 140);
    for (Map.Entry<String, FileState> e : record.files().entrySet()) {
      FileState f = e.getValue();
      if (unfit(e.getKey()) || unfit(f.sha256()) || unfit(f.fileKey())) {
        Files.deleteIfExists(target);
        return;
      }
      entries.append(e.getKey()).append('\t');
      entries.append(f.size()).append('\t').append(f.mtimeNanos()).append('\t');
      entries.append(f.mode()).append('\t');
      entries.append(f.fileKey() == null ? "" : f.fileKey()).append('\t');
      entries.append(f.sha256()).append('\t').append(f.racy() ? '1' : '0').append('\n');
    }
    // The listing vouches for the record's entries only if it was made with exactly them.
    byte[] stats =
        record.files().equals(fp.files()) && fp.stats() != null ? fp.stats().toBytes() : null;
    StringBuilder head = new StringBuilder(512);
    head.append(RecordIndex.HEADER).append('\n');
    head.append("image\t").append(record.image()).append('\n');
    head.append("record\t").append(RecordIndex.recordStat(store.recordFile())).append('\n');
    head.append("fingerprint\t").append(record.fingerprint()).append('\n');
    head.append("dockerfile-key\t").append(fp.dockerfileKey()).append('\n');
    head.append("files\t").append(fp.filesDigest()).append('\n');
    byte[] specText = fp.specText().getBytes(StandardCharsets.UTF_8); // may hold any character
    head.append("spec\t").append(specText.length).append('\n');
    byte[] buildSpec =
        (record.spec() == null ? "" : SpecLines.encode(record.spec()))
            .getBytes(StandardCharsets.UTF_8);
    StringBuilder rest = new StringBuilder(256);
    rest.append("image-id\t").append(record.imageId()).append('\n');
    rest.append("content-tag\t").append(record.contentTag()).append('\n');
    rest.append("bases\t").append(record.baseImages().size()).append('\n');
    for (Map.Entry<String, String> base : record.baseImages().entrySet()) {
      if (unfit(base.getKey()) || unfit(base.getValue())) {
        Files.deleteIfExists(target);
        return;
      }
      rest.append(base.getKey()).append('\t').append(base.getValue()).append('\n');
    }
    rest.append("stats\t").append(stats == null ? -1 : stats.length).append('\n');
    ByteArrayOutputStream out = new ByteArrayOutputStream(entries.length() * 2);
    out.write(head.toString().getBytes(StandardCharsets.UTF_8));
    out.write(specText);
    out.write(("build-spec\t" + buildSpec.length + "\n").getBytes(StandardCharsets.UTF_8));
    out.write(buildSpec);
    out.write(rest.toString().getBytes(StandardCharsets.UTF_8));
    if (stats != null) {
      out.write(stats);
    }
    out.write(("entries\t" + record.files().size() + "\n").getBytes(StandardCharsets.UTF_8));
    out.write(entries.toString().getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(target, out.toByteArray());
  }

  private static boolean unfit(String s) {
    return s != null && (s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0);
  }
}
