package io.github.cachedimage.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A {@code docker} wrapper to put first on a Maven run's PATH: it appends every command line to a
 * log, then either runs the real {@code docker} or, for commands matching a scripted case, answers
 * itself. Proves "no buildx process at all" and simulates a missing or old buildx.
 */
public final class DockerSpy {
  private final Path bin;
  private final Path calls;

  private DockerSpy(Path bin, Path calls) {
    this.bin = bin;
    this.calls = calls;
  }

  /** Records and passes everything through to the real docker. */
  public static DockerSpy passThrough(Path directory) throws IOException {
    return scripted(directory, "");
  }

  /**
   * Records, answers with {@code caseBranches} (shell {@code case "$*" in} branches, e.g. {@code
   * "'buildx version') echo old ;;"}; a matching branch is the whole answer) and passes the rest
   * through to the real docker.
   */
  public static DockerSpy scripted(Path directory, String caseBranches) throws IOException {
    Path bin = Files.createDirectories(directory.resolve("bin"));
    Path calls = directory.resolve("docker-calls.log");
    Files.deleteIfExists(calls);
    String real =
        Processes.run(List.of("sh", "-c", "command -v docker"), java.time.Duration.ofSeconds(10))
            .output()
            .strip();
    Path script = bin.resolve("docker");
    Files.writeString(
        script,
        String.join(
            "\n",
            "#!/bin/sh",
            "echo \"$*\" >> '" + calls + "'",
            "case \"$*\" in",
            caseBranches,
            "*) exec '" + real + "' \"$@\" ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new DockerSpy(bin, calls);
  }

  /** The PATH value to run Maven with: the spy first. */
  public String path() {
    return bin + ":" + System.getenv("PATH");
  }

  /** Every docker command line run so far. */
  public List<String> calls() throws IOException {
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  public void reset() throws IOException {
    Files.deleteIfExists(calls);
  }
}
