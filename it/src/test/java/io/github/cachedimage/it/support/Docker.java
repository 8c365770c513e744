package io.github.cachedimage.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The docker CLI for test setup and assertions: inspect, remove, prune. */
public final class Docker {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private Docker() {}

  public static Processes.Result docker(String... args) {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    return Processes.run(command, TIMEOUT);
  }

  /** The image ID if the engine has the image. */
  public static Optional<String> imageId(String imageOrId) {
    Processes.Result r = docker("image", "inspect", "--format", "{{.Id}}", imageOrId);
    return r.exitCode() == 0 ? Optional.of(r.output().strip()) : Optional.empty();
  }

  /** Removes images (by tag or ID), ignoring ones that are absent. */
  public static void removeImages(String... images) {
    List<String> args = new ArrayList<>(List.of("image", "rm", "-f"));
    args.addAll(List.of(images));
    docker(args.toArray(String[]::new));
  }

  /** Removes every tag of a repository (e.g. {@code cachedimage-it/basic}). */
  public static void removeRepository(String repository) {
    Processes.Result r = docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repository);
    for (String ref : r.output().strip().split("\n")) {
      if (!ref.isBlank() && !ref.endsWith(":<none>")) {
        removeImages(ref);
      }
    }
  }

  /** A fresh CI runner's daemon: drops BuildKit's whole build cache (not images). */
  public static void pruneBuildCache() {
    docker("builder", "prune", "-af").requireSuccess();
  }
}
