package io.github.cachedimage.junit;

import io.github.cachedimage.core.BuildFailedException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every message a user of {@code @CachedImage} may see, and the hints in them, in one place. Each
 * says what went wrong, with the value or path involved, and what to do.
 */
final class Messages {
  private Messages() {}

  /** Prefixes a problem with the annotation and the element it is on. */
  static String at(String image, String site, String problem) {
    return "@CachedImage(\"" + image + "\") on " + site + ": " + problem;
  }

  static String unknownImage(String image, Path recordFile, String recordProblem, Path dockerfile) {
    return (recordProblem == null
            ? "no record of image '" + image + "' at " + recordFile
            : "no usable record of image '" + image + "' (" + recordProblem + ")")
        + " and no Dockerfile to build it from at "
        + dockerfile
        + ". Build it with the cached-image plugin first (e.g. mvn verify), set "
        + Locations.RECORD_DIRECTORY_PROPERTY
        + " if the record is elsewhere, or point @CachedImage(context = ..., dockerfile = ...) at"
        + " its Dockerfile";
  }

  static String dockerUnreachable(String reason) {
    return "no Docker engine is reachable ("
        + reason
        + "). Start one, or set @CachedImage(disabledWithoutDocker = true) to skip these tests"
        + " when there is none";
  }

  static String disabledWithoutDocker(String site) {
    return "no Docker engine is reachable; disabled by @CachedImage(disabledWithoutDocker = true) on "
        + site;
  }

  static String buildFailed(String image, BuildFailedException e) {
    // The core's message names the image, the failing step and the last lines of output; add what
    // it may leave out.
    String coreMessage = e.getMessage() == null ? image + ": build failed" : e.getMessage();
    StringBuilder message = new StringBuilder(coreMessage);
    if (e.failedStep() != null && !coreMessage.contains(e.failedStep())) {
      message.append("\nfailing step: ").append(e.failedStep());
    }
    List<String> lines = e.lastLines();
    if (!lines.isEmpty() && !coreMessage.contains(lines.get(lines.size() - 1))) {
      message.append("\nlast lines of output:");
      lines.forEach(line -> message.append("\n  ").append(line));
    }
    return message.toString();
  }

  static String cannotEnsure(String image, String reason) {
    return "cannot provide image '" + image + "': " + reason;
  }

  static String wrongType(String site, Class<?> type) {
    return "@CachedImage "
        + site
        + " must be of type GenericContainer<?> (a started container) or DockerImageName (the"
        + " image only), but was: "
        + type.getName()
        + ". For a GenericContainer subclass or a Testcontainers module, drop @CachedImage and"
        + " create it from CachedImageResolver.ensure(...)";
  }

  static String finalField(String site) {
    return "@CachedImage field " + site + " must not be final: the extension assigns it";
  }

  static String alreadyInitialised(String site) {
    return "@CachedImage field "
        + site
        + " is already initialised; the extension creates what it assigns (and stops it"
        + " afterwards). Remove the initialiser, or drop @CachedImage and create the container"
        + " yourself from CachedImageResolver.ensure(...)";
  }

  static String invalidAttribute(String image, String site, String problem) {
    return at(image, site, problem);
  }

  static String startFailed(
      String reference, String imageId, String state, Throwable cause, String logs) {
    return "container of image "
        + reference
        + " ("
        + imageId
        + ") failed to start"
        + (state == null ? "" : " (" + state + ")")
        + ": "
        + causes(cause)
        + "\ncontainer log"
        + logs;
  }

  /**
   * The messages of a cause chain, each cut to its first line and {@value #CAUSE_CHARS} characters:
   * Testcontainers puts whole inspect responses into some.
   */
  private static String causes(Throwable t) {
    StringBuilder chain = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String message = c.getMessage();
      if (message == null || message.isBlank()) {
        continue;
      }
      message = message.lines().findFirst().orElse("");
      if (message.length() > CAUSE_CHARS) {
        message = message.substring(0, CAUSE_CHARS) + "...";
      }
      if (chain.indexOf(message) < 0) {
        chain.append(chain.length() == 0 ? "" : "; ").append(message);
      }
    }
    return chain.length() == 0 ? t.getClass().getName() : chain.toString();
  }

  private static final int CAUSE_CHARS = 160;
}
