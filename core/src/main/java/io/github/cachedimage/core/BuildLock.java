package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.record.RecordStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Builds of one image, one at a time across threads and JVMs: an in-JVM lock per record (file locks
 * are held per JVM), then a file lock on the store's {@code <image>.lock}. Whoever waited checks
 * again under the lock and finds the image the first one built.
 */
final class BuildLock implements AutoCloseable {

  private static final Map<String, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  static final Duration TIMEOUT = Duration.ofMinutes(60);

  private final ReentrantLock jvmLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private BuildLock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
    this.jvmLock = jvmLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /** Waits (up to {@link #TIMEOUT}) for the image's lock, saying once that it waits. */
  static BuildLock acquire(RecordStore store, BuildLog log) {
    String image = store.image();
    Path lockFile = store.lockFile().toAbsolutePath().normalize();
    ReentrantLock jvmLock = jvmLock(lockFile.toString());
    try {
      if (!jvmLock.tryLock(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CachedImageException(
            image + ": another build of this image in this JVM did not finish within " + TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CachedImageException(image + ": interrupted waiting for the build lock", e);
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(store.directory());
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      return new BuildLock(jvmLock, channel, fileLock(channel, image, lockFile, log));
    } catch (AccessDeniedException | ReadOnlyFileSystemException e) {
      // Nobody can write a record there, so no other process builds into it: the check may still
      // find the image up to date; a build fails before it starts, naming the directory.
      log.debug(image + ": no lock file in an unwritable directory (" + lockFile + "): " + e);
      close(channel);
      return new BuildLock(jvmLock, null, null);
    } catch (FileSystemException e) {
      if (String.valueOf(e.getReason()).contains("Read-only")) {
        log.debug(image + ": no lock file on a read-only file system (" + lockFile + ")");
        close(channel);
        return new BuildLock(jvmLock, null, null);
      }
      close(channel);
      jvmLock.unlock();
      throw new CachedImageException(image + ": cannot lock " + lockFile + ": " + e, e);
    } catch (IOException | RuntimeException e) {
      close(channel);
      jvmLock.unlock();
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new CachedImageException(image + ": cannot lock " + lockFile + ": " + e, e);
    }
  }

  /** No lambda here: its bootstrap would cost the cold no-op path about a millisecond. */
  private static ReentrantLock jvmLock(String key) {
    ReentrantLock lock = JVM_LOCKS.get(key);
    if (lock == null) {
      ReentrantLock fresh = new ReentrantLock();
      lock = JVM_LOCKS.putIfAbsent(key, fresh);
      return lock == null ? fresh : lock;
    }
    return lock;
  }

  private static FileLock fileLock(FileChannel channel, String image, Path lockFile, BuildLog log)
      throws IOException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    boolean told = false;
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      if (!told) {
        log.info(image + ": waiting for another process building it (" + lockFile + ")");
        told = true;
      }
      if (System.nanoTime() > deadline) {
        throw new CachedImageException(
            image + ": the lock " + lockFile + " was not released within " + TIMEOUT);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CachedImageException(image + ": interrupted waiting for " + lockFile, e);
      }
    }
  }

  @Override
  public void close() {
    if (fileLock == null) {
      jvmLock.unlock();
      return;
    }
    try {
      fileLock.release();
    } catch (IOException e) {
      // closing the channel releases it too
    } finally {
      close(channel);
      jvmLock.unlock();
    }
  }

  private static void close(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing held is left behind: the lock goes with the channel
      }
    }
  }
}
