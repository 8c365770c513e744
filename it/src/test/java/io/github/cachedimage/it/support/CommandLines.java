package io.github.cachedimage.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples the command line of every process visible in {@code /proc} every 20 ms while it runs, so
 * a test can show that no secret was ever on one (where {@code ps} would show it to any user).
 *
 * <pre>{@code
 * try (CommandLines seen = CommandLines.sample()) {
 *   sample.run("verify");
 *   assertThat(seen.all()).anyMatch(c -> c.contains("buildx build")).noneMatch(c -> c.contains(secret));
 * }
 * }</pre>
 */
public final class CommandLines implements AutoCloseable {
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final AtomicInteger rounds = new AtomicInteger();
  private final Thread sampler;
  private volatile boolean running = true;

  private CommandLines() {
    sampler = new Thread(this::loop, "cmdline-sampler");
    sampler.setDaemon(true);
  }

  public static CommandLines sample() {
    CommandLines lines = new CommandLines();
    lines.sampler.start();
    return lines;
  }

  private void loop() {
    while (running) {
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
        for (Path proc : procs) {
          try {
            byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
            if (raw.length > 0) {
              // arguments are NUL-separated; a space makes them read as typed
              seen.add(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
            }
          } catch (IOException | RuntimeException gone) {
            // the process ended between listing and reading
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot list /proc", e);
      }
      rounds.incrementAndGet();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Every distinct command line seen so far. */
  public Set<String> all() {
    return Set.copyOf(seen);
  }

  /** How many times /proc was read. */
  public int rounds() {
    return rounds.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.interrupt();
    sampler.join(5_000);
  }
}
