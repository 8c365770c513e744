package io.github.cachedimage.core.record;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file writes that readers never see half done. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes a temporary file next to the target, then renames it over the target (atomically where
   * the file system can), so an interrupted write leaves the previous file as it was.
   */
  public static void write(Path target, byte[] content) throws IOException {
    Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".write-", ".tmp");
    try {
      Files.write(temp, content);
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
