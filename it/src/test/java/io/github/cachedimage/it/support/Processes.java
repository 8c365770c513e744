package io.github.cachedimage.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a timeout, capturing merged output. */
public final class Processes {
  private Processes() {}

  /** Exit code and merged stdout/stderr of a finished command. */
  public record Result(List<String> command, int exitCode, String output) {
    public Result requireSuccess() {
      if (exitCode != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed with exit code " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  public static Result run(List<String> command, Duration timeout) {
    return run(command, timeout, null, Map.of());
  }

  public static Result run(
      List<String> command, Duration timeout, Path directory, Map<String, String> environment) {
    return run(command, timeout, directory, environment, null);
  }

  /**
   * Runs a command with {@code input} on its stdin: the way to hand it a secret, which must not be
   * on a command line ({@code ps} shows those to every user).
   */
  public static Result runWithInput(
      List<String> command, String input, Duration timeout, Map<String, String> environment) {
    return run(command, timeout, null, environment, input);
  }

  private static Result run(
      List<String> command,
      Duration timeout,
      Path directory,
      Map<String, String> environment,
      String input) {
    try {
      Path out = java.nio.file.Files.createTempFile("cached-image-it-", ".out");
      try {
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(
                    input == null
                        ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                        : ProcessBuilder.Redirect.PIPE)
                .redirectOutput(out.toFile());
        if (directory != null) {
          pb.directory(directory.toFile());
        }
        pb.environment().putAll(environment);
        Process p = pb.start();
        if (input != null) {
          try (java.io.OutputStream stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(
              String.join(" ", command) + " did not finish within " + timeout);
        }
        return new Result(
            List.copyOf(command),
            p.exitValue(),
            java.nio.file.Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        java.nio.file.Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
