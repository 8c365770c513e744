package io.github.cachedimage.core.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code docker buildx build --progress=plain} output line by line: counts Dockerfile steps
 * ({@code #5 [2/3] RUN ...} vertices) and cache hits, notices cache import and export failures, and
 * remembers what a failing step printed. Not thread-safe; fed by one reader.
 *
 * <p>A step is a cache hit if it reports {@code #5 CACHED}, or if it completes having printed only
 * blob transfers ({@code #5 sha256:... 3.00MB / 3.00MB 0.1s done}, {@code #5 extracting
 * sha256:...}), at least one. The second form is a race, seen under load with a remote cache:
 * BuildKit loads the step lazily, the progress stream first shows the vertex when the exporter
 * fetches its layers, and {@code CACHED} is never printed. Such a step was loaded, not run: an
 * executed {@code RUN} prints its output or no blob lines, an executed {@code COPY} only {@code
 * DONE}. {@code FROM} steps never count this way: pulling a base image looks the same.
 */
public final class BuildProgress {

  /** A progress line of one vertex: {@code #<n> <text>}. */
  static final Pattern VERTEX = Pattern.compile("^#(\\d+) (.*)$");

  private static final Pattern STEP = Pattern.compile("^\\[(?:[^\\]]+ )?\\d+/\\d+\\] .*");
  private static final Pattern FROM = Pattern.compile("^\\[(?:[^\\]]+ )?\\d+/\\d+\\] FROM .*");
  private static final Pattern OUTPUT = Pattern.compile("^\\d+\\.\\d+ (.*)$");
  private static final String SIZE = "\\d+(?:\\.\\d+)?[kMGTPE]?i?B";
  private static final Pattern BLOB =
      Pattern.compile(
          "^(?:extracting )?sha256:[0-9a-f]{64}"
              + "(?: "
              + SIZE
              + "(?: / "
              + SIZE
              + ")?)?(?: \\d+(?:\\.\\d+)?s)?(?: done)?$");
  private static final int TAIL = 20;

  private final Map<Integer, String> names = new LinkedHashMap<>();
  private final TreeSet<Integer> steps = new TreeSet<>();
  private final TreeSet<Integer> cached = new TreeSet<>();
  private final TreeSet<Integer> loadedBlobs = new TreeSet<>();
  private final TreeSet<Integer> didMore = new TreeSet<>();
  private final TreeSet<Integer> done = new TreeSet<>();
  private final Map<Integer, Deque<String>> outputs = new LinkedHashMap<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> exportErrors = new ArrayList<>();
  private final List<CacheFailure> cacheFailures = new ArrayList<>();
  private final Deque<String> lastLines = new ArrayDeque<>();
  private Integer failedVertex;
  private String failedError;
  private String finalError;
  private final List<String> failedImports = new ArrayList<>();
  private boolean saidByWarning;

  /**
   * A cache import or export that BuildKit reported failed (its vertex ended in {@code ERROR}).
   *
   * @param export an export ({@code --cache-to}), else an import
   * @param vertex the vertex's name, e.g. {@code importing cache manifest from 127.0.0.1:5000/x:c}
   *     or {@code exporting cache to registry}
   * @param error BuildKit's error
   */
  public record CacheFailure(boolean export, String vertex, String error) {}

  /**
   * Consumes one line; returns a warning to log now (buildx's own warnings about caches), or {@code
   * null}. Failed cache imports and exports are collected in {@link #cacheFailures()} instead: the
   * caller names the cache once, after the build, when it knows both directions.
   */
  public String accept(String line) {
    saidByWarning = false;
    remember(lastLines, line, 40);
    if (line.startsWith("ERROR: ") || line.startsWith("ERROR ")) {
      finalError = line.substring(6).strip();
      return null;
    }
    if (line.startsWith("WARNING: ")) {
      String warning = line.substring(9).strip();
      if (warning.contains("cache import") || warning.contains("cache export")) {
        saidByWarning = warning.contains("cache import");
        warnings.add(warning);
        return warning;
      }
      return null;
    }
    Matcher m = VERTEX.matcher(line);
    if (!m.matches()) {
      // buildx's closing box names the failed vertex again: " > importing cache manifest ...:"
      saidByWarning =
          line.startsWith(" > ") && failedImports.contains(line.substring(3).replaceAll(":$", ""));
      return null;
    }
    int vertex = Integer.parseInt(m.group(1));
    String text = m.group(2);
    if (!names.containsKey(vertex)) {
      names.put(vertex, text);
      if (STEP.matcher(text).matches()) {
        steps.add(vertex);
      }
      return null;
    }
    if (text.equals("CACHED")) {
      cached.add(vertex);
      return null;
    }
    if (text.equals("...") || text.equals(names.get(vertex))) {
      return null; // interleaving: the vertex pauses, or resumes under its name again
    }
    if (text.equals("DONE") || text.startsWith("DONE ")) {
      done.add(vertex);
      return null;
    }
    if (BLOB.matcher(text).matches()) {
      loadedBlobs.add(vertex);
      return null;
    }
    didMore.add(vertex);
    if (text.startsWith("ERROR: ") || text.startsWith("ERROR ")) {
      String error = text.substring(6).strip();
      String name = names.get(vertex);
      if (isCacheImport(name)) {
        saidByWarning = true;
        failedImports.add(name);
        warnings.add("cache import failed (" + name + "): " + error + "; building without it");
        cacheFailures.add(new CacheFailure(false, name, error));
        return null; // reported per cache after the build (see cacheFailures)
      }
      if (isCacheExport(name)) {
        exportErrors.add("cache export failed (" + name + "): " + error);
        cacheFailures.add(new CacheFailure(true, name, error));
        return null;
      }
      if (failedVertex == null) {
        failedVertex = vertex;
        failedError = error;
      }
      return null;
    }
    Matcher out = OUTPUT.matcher(text);
    if (out.matches()) {
      remember(outputs.computeIfAbsent(vertex, v -> new ArrayDeque<>()), out.group(1), TAIL);
    }
    return null;
  }

  /**
   * Whether the line just accepted says nothing a cache import warning does not say (that warning,
   * buildx's {@code WARNING:} line or its box naming the failed import again): it need not be shown
   * beside the warning.
   */
  public boolean saidByWarning() {
    return saidByWarning;
  }

  private static boolean isCacheImport(String name) {
    return name != null && name.startsWith("importing cache manifest");
  }

  /** Whether a vertex of that name exports the cache ({@code --cache-to}). */
  static boolean isCacheExport(String name) {
    return name != null
        && (name.startsWith("exporting cache")
            || name.startsWith("exporting to GitHub Actions Cache")
            || name.startsWith("writing cache")
            || name.startsWith("preparing build cache for export")
            || name.startsWith("exporting content cache"));
  }

  private static void remember(Deque<String> deque, String line, int max) {
    deque.addLast(line);
    while (deque.size() > max) {
      deque.removeFirst();
    }
  }

  /** Dockerfile steps seen. */
  public int steps() {
    return steps.size();
  }

  /** Dockerfile steps reported CACHED, or loaded from a cache without being run (see above). */
  public int cachedSteps() {
    int n = 0;
    for (Integer v : steps) {
      if (cached.contains(v) || loadedWithoutRunning(v)) {
        n++;
      }
    }
    return n;
  }

  private boolean loadedWithoutRunning(int vertex) {
    return done.contains(vertex)
        && loadedBlobs.contains(vertex)
        && !didMore.contains(vertex)
        && !FROM.matcher(names.get(vertex)).matches();
  }

  /** Warnings seen (cache import problems). */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** Cache imports and exports that failed, in the order seen. */
  public List<CacheFailure> cacheFailures() {
    return List.copyOf(cacheFailures);
  }

  /** Cache export failures seen. */
  public List<String> exportErrors() {
    return List.copyOf(exportErrors);
  }

  /** The failing step's name as buildx shows it, e.g. {@code [2/2] RUN exit 3}, or null. */
  public String failedStep() {
    return failedVertex == null ? null : names.get(failedVertex);
  }

  /** The error of the failing vertex, else buildx's final {@code ERROR:} line, or null. */
  public String error() {
    return failedError != null ? failedError : finalError;
  }

  /** buildx's final {@code ERROR:} line, or null. */
  public String finalError() {
    return finalError;
  }

  /** What the failing step printed last, else the last lines of all output. */
  public List<String> failureOutput() {
    if (failedVertex != null && outputs.containsKey(failedVertex)) {
      return List.copyOf(outputs.get(failedVertex));
    }
    List<String> all = new ArrayList<>(lastLines);
    return all.subList(Math.max(0, all.size() - TAIL), all.size());
  }
}
