package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.spec.CacheSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Appends one short markdown table per image to the GitHub Actions job summary (the file named by
 * {@code GITHUB_STEP_SUMMARY}), so a reviewer sees at a glance whether the cache worked:
 *
 * <pre>
 * | image | result | steps cached | time | cache |
 * |---|---|---|---|---|
 * | `greeter` | built | 7 of 8 | 2.1 s | gha scope=greeter (from, to) |
 * </pre>
 *
 * Only cache types, scopes and references appear, never other attributes; every cell goes through
 * {@link Redaction} anyway. Appends are whole blocks under a file lock, so images built in parallel
 * do not interleave.
 */
final class GhaStepSummary {

  /** The environment variable GitHub sets for every step. */
  public static final String VARIABLE = "GITHUB_STEP_SUMMARY";

  /**
   * One image's line.
   *
   * @param image repository name
   * @param built whether buildx ran (otherwise: up to date, no build)
   * @param stepsCached steps reported CACHED (ignored unless built)
   * @param steps steps in total (ignored unless built)
   * @param time how long making sure of the image took
   * @param cache the cache backends used, from {@link #describeCaches}
   * @param note something the reader should know (e.g. why gha was off), or {@code null}
   */
  public record Row(
      String image,
      boolean built,
      int stepsCached,
      int steps,
      Duration time,
      String cache,
      String note) {}

  private GhaStepSummary() {}

  /**
   * Appends the row's table when {@code GITHUB_STEP_SUMMARY} is set; returns the file written.
   *
   * @throws CachedImageException if the file cannot be written
   */
  /** Whether the environment names a job summary file ({@code GITHUB_STEP_SUMMARY}). */
  public static boolean requested(Map<String, String> env) {
    String file = env.get(VARIABLE);
    return file != null && !file.isBlank();
  }

  public static Optional<Path> append(Map<String, String> env, Row row) {
    if (!requested(env)) {
      return Optional.empty();
    }
    Path path = Path.of(env.get(VARIABLE));
    byte[] bytes = markdown(row).getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel =
            FileChannel.open(
                path,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        var lock = channel.lock()) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new CachedImageException("cannot append to " + VARIABLE + " file " + path, e);
    }
    return Optional.of(path);
  }

  /** The markdown block for one image: a blank line, the table, a blank line. */
  public static String markdown(Row row) {
    String result = row.built() ? "built" : "up to date";
    String steps =
        row.built() ? row.stepsCached() + " of " + row.steps() : "no build (inputs unchanged)";
    String cache = row.cache() == null || row.cache().isBlank() ? "none" : row.cache();
    if (row.note() != null && !row.note().isBlank()) {
      cache = cache + "; " + row.note();
    }
    StringBuilder out = new StringBuilder("\n");
    out.append("| image | result | steps cached | time | cache |\n");
    out.append("|---|---|---|---|---|\n");
    out.append("| ")
        .append(code(row.image()))
        .append(" | ")
        .append(cell(result))
        .append(" | ")
        .append(cell(steps))
        .append(" | ")
        .append(cell(format(row.time())))
        .append(" | ")
        .append(cell(cache))
        .append(" |\n");
    return out.toString();
  }

  /**
   * The cache backends of a build in a few words: type, plus scope or reference (never other
   * attributes), and whether imported from, exported to, or both, e.g. {@code gha scope=greeter
   * (from, to)}.
   */
  public static String describeCaches(List<CacheSpec> cacheFrom, List<CacheSpec> cacheTo) {
    Map<String, List<String>> directions = new LinkedHashMap<>();
    for (CacheSpec spec : cacheFrom) {
      directions.computeIfAbsent(label(spec), k -> new ArrayList<>()).add("from");
    }
    for (CacheSpec spec : cacheTo) {
      directions.computeIfAbsent(label(spec), k -> new ArrayList<>()).add("to");
    }
    List<String> parts = new ArrayList<>();
    directions.forEach((k, v) -> parts.add(k + " (" + String.join(", ", v) + ")"));
    return String.join(", ", parts);
  }

  private static String label(CacheSpec spec) {
    String detail =
        switch (spec.type()) {
          case "gha" -> attribute(spec, "scope");
          case "registry" -> attribute(spec, "ref");
          case "local" -> null; // a runner path says little; src/dest differ for one cache
          case "s3", "azblob" -> attribute(spec, "name");
          default -> null;
        };
    return detail == null ? spec.type() : spec.type() + " " + detail;
  }

  private static String attribute(CacheSpec spec, String key) {
    String value = spec.attribute(key);
    return value == null ? null : key + "=" + value;
  }

  static String format(Duration time) {
    if (time == null) {
      return "";
    }
    long millis = time.toMillis();
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String code(String text) {
    return "`" + cell(text).replace("`", "'") + "`";
  }

  private static String cell(String text) {
    return Redaction.redact(text).replace("|", "\\|").replace("\n", " ").replace("\r", " ");
  }
}
