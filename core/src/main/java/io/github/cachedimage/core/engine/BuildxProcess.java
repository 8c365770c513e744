package io.github.cachedimage.core.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A {@code docker buildx build} process that does not outlive its caller. The docker CLI keeps
 * building when the JVM that started it dies, and a build whose client goes away in the middle of
 * committing a layer can leave BuildKit's cache with a record whose snapshot is gone (see {@link
 * BrokenBuildCache}); a second build of the same Dockerfile started meanwhile also races the ghost.
 * So:
 *
 * <ul>
 *   <li>where {@code /bin/sh} exists (Linux, macOS), the command runs under a small watchdog: a
 *       shell that sends the build SIGINT (what Ctrl-C sends; buildx cancels the build cleanly)
 *       when its stdin, a pipe only this JVM holds, reaches end of file. The JVM closing it, or the
 *       kernel closing it because the JVM died (even by SIGKILL, which runs no Java code), stops
 *       the build;
 *   <li>a shutdown hook (Ctrl-C, SIGTERM, {@code System.exit}) closes that pipe, or on Windows
 *       destroys the process and its children, and waits briefly for them to go.
 * </ul>
 */
final class BuildxProcess {

  /** How long a stopped build may take to cancel before it is killed. */
  static final long GRACE_SECONDS = 10;

  /**
   * The watchdog: runs {@code "$@"} in the background with fd 3 (the pipe) closed, waits for it,
   * and meanwhile a subshell blocks reading the pipe ({@code read} is a builtin: one process, which
   * the main shell kills when the build ends). Its output goes to /dev/null so the JVM's reader
   * sees end of file when the build ends.
   */
  static final String WATCHDOG =
      "exec 3<&0 </dev/null\n"
          + "\"$@\" 3<&- &\n"
          + "child=$!\n"
          + "( read -r _ <&3; kill -INT \"$child\" 2>/dev/null; sleep "
          + GRACE_SECONDS
          + "; kill -KILL \"$child\" 2>/dev/null ) >/dev/null 2>&1 &\n"
          + "watcher=$!\n"
          + "exec 3<&-\n"
          + "wait \"$child\"\n"
          + "status=$?\n"
          + "kill \"$watcher\" 2>/dev/null\n"
          + "exit \"$status\"\n";

  private BuildxProcess() {}

  /** Whether builds run under the watchdog here. */
  static boolean watchdogAvailable() {
    return !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
        && new java.io.File("/bin/sh").canExecute();
  }

  /**
   * {@code command} wrapped in the watchdog: {@code /bin/sh -c WATCHDOG cached-image-buildx ...}
   */
  static List<String> watched(List<String> command) {
    List<String> wrapped =
        new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "cached-image-buildx"));
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Starts {@code builder}'s command (under the watchdog where available) and registers a shutdown
   * hook that stops it; {@link Started#close()} removes the hook.
   */
  static Started start(ProcessBuilder builder) throws IOException {
    boolean watched = watchdogAvailable();
    if (watched) {
      builder.command(watched(builder.command()));
      builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    }
    Process process = builder.start();
    Thread hook = new Thread(() -> stop(process, watched), "cached-image-stop-buildx");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException e) {
      // started while the JVM shuts down (from another hook): the watchdog still covers its end
    }
    return new Started(process, watched, hook);
  }

  /**
   * Stops a build: closes the watchdog's pipe (SIGINT to buildx, SIGKILL after the grace period),
   * or without one destroys the process tree; waits up to the grace period for it to end.
   */
  static void stop(Process process, boolean watched) {
    if (watched) {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // already closed: the watchdog has seen end of file
      }
    } else {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
    try {
      if (!process.waitFor(GRACE_SECONDS + 2, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A started build; closing it (after the process ended) removes the shutdown hook. */
  record Started(Process process, boolean watched, Thread hook) implements AutoCloseable {
    void stop() {
      BuildxProcess.stop(process, watched);
    }

    @Override
    public void close() {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook (if registered) runs, and finds the build ended
      }
      if (watched) {
        try {
          process.getOutputStream().close(); // the build ended; let the watcher's read end too
        } catch (IOException e) {
          // nothing to release
        }
      }
    }
  }
}
