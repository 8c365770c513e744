package io.github.cachedimage.it.support;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a Dockerfile step came from the cache, read from {@code docker buildx build
 * --progress=plain} output (as is, or as Maven logged it, {@code [INFO] #7 CACHED}).
 *
 * <p>The same rule as the core's {@code BuildProgress}, written again here so that the ITs check
 * the record's cache summary against an independent reading. A step came from the cache if it
 * reported {@code #N CACHED}, or if it finished ({@code #N DONE}) having printed only blob
 * transfers ({@code #N sha256:... 3.00MB / 3.00MB 0.1s done}, {@code #N extracting sha256:...}), at
 * least one. The second form is a race seen under load with a remote cache: BuildKit loads the step
 * lazily, the vertex first shows up while the exporter fetches its layers, and {@code CACHED} is
 * never printed. An executed RUN prints its output or no blob lines; an executed COPY only DONE.
 * {@code FROM} steps never count this way (pulling a base image looks the same).
 */
public final class BuildOutput {
  private static final Pattern LINE = Pattern.compile("^(?:\\[(?:INFO|DEBUG)\\] )?#(\\d+) (.*)$");
  private static final Pattern STEP = Pattern.compile("^\\[(?:[^\\]]+ )?\\d+/\\d+\\] (.*)$");
  private static final String SIZE = "\\d+(?:\\.\\d+)?[kMGTPE]?i?B";
  private static final Pattern BLOB =
      Pattern.compile(
          "^(?:extracting )?sha256:[0-9a-f]{64}(?: "
              + SIZE
              + "(?: / "
              + SIZE
              + ")?)?(?: \\d+(?:\\.\\d+)?s)?(?: done)?$");

  private BuildOutput() {}

  /** How a step ended. */
  public enum Status {
    /** Reported {@code CACHED}. */
    CACHED,
    /** Loaded from the cache without {@code CACHED}: blob transfers only, then {@code DONE}. */
    LOADED,
    /** Executed: {@code DONE} after output, or after nothing. */
    RAN,
    /** Failed, canceled, or never finished. */
    UNFINISHED;

    /** Served from the build cache, not executed. */
    public boolean fromCache() {
      return this == CACHED || this == LOADED;
    }
  }

  /** Whether the step whose text contains {@code stepText} came from the cache (see above). */
  public static boolean stepFromCache(String output, String stepText) {
    return status(output, stepText).fromCache();
  }

  /** Whether the step whose text contains {@code stepText} was executed to completion. */
  public static boolean stepRan(String output, String stepText) {
    return status(output, stepText) == Status.RAN;
  }

  /**
   * The status of the last step whose text (after {@code [k/n] }) contains {@code stepText}, in the
   * last build of {@code output} that has one; an {@link AssertionError} showing the output if
   * there is none.
   */
  public static Status status(String output, String stepText) {
    Map<Integer, String> names = new HashMap<>();
    Integer vertex = null;
    boolean from = false;
    boolean cached = false;
    boolean done = false;
    boolean blobs = false;
    boolean other = false;
    Status found = null;
    for (String line : output.lines().toList()) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      int id = Integer.parseInt(m.group(1));
      String text = m.group(2);
      if (id == 0 && text.startsWith("building with ")) {
        // a new buildx build: vertex numbers start again
        if (vertex != null) {
          found = status(from, cached, done, blobs, other);
        }
        names.clear();
        vertex = null;
        continue;
      }
      if (!names.containsKey(id)) {
        names.put(id, text);
        Matcher step = STEP.matcher(text);
        if (step.matches() && step.group(1).contains(stepText)) {
          vertex = id;
          from = step.group(1).startsWith("FROM ");
          cached = done = blobs = other = false;
        }
        continue;
      }
      if (vertex == null || id != vertex || text.equals("...") || text.equals(names.get(id))) {
        continue;
      }
      if (text.equals("CACHED")) {
        cached = true;
      } else if (text.equals("DONE") || text.startsWith("DONE ")) {
        done = true;
      } else if (BLOB.matcher(text).matches()) {
        blobs = true;
      } else {
        other = true;
      }
    }
    if (vertex != null) {
      found = status(from, cached, done, blobs, other);
    }
    if (found == null) {
      throw new AssertionError("no step containing '" + stepText + "' in:\n" + output);
    }
    return found;
  }

  private static Status status(
      boolean from, boolean cached, boolean done, boolean blobs, boolean other) {
    if (cached) {
      return Status.CACHED;
    }
    if (!done) {
      return Status.UNFINISHED;
    }
    if (blobs && !other && !from) {
      return Status.LOADED;
    }
    return Status.RAN;
  }
}
