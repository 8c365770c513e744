package io.github.cachedimage.core.fingerprint;

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
