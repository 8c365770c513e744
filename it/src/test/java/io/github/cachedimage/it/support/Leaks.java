package io.github.cachedimage.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Searches what Maven runs produced for planted secret values: their logs, and every file under the
 * given directories (records, indexes, surefire and failsafe reports, logs, summaries). A hit is
 * reported by place and by which value, never by printing the value.
 */
public final class Leaks {
  private Leaks() {}

  /** Every regular file under the directories (those that exist). */
  public static List<Path> filesUnder(Collection<Path> directories) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path dir : directories) {
      if (!Files.exists(dir)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
    }
    return files;
  }

  /** Asserts that no run's log contains any of the values. */
  public static void assertNotInLogs(Collection<MavenSample.Run> runs, String... values) {
    assertNotInLogs(runs, line -> false, values);
  }

  /** The same, ignoring the lines {@code excused} accepts (said why by the caller). */
  public static void assertNotInLogs(
      Collection<MavenSample.Run> runs, Predicate<String> excused, String... values) {
    List<String> hits = new ArrayList<>();
    for (MavenSample.Run run : runs) {
      hits.addAll(hits(run.logFile().toString(), run.log(), excused, values));
    }
    assertThat(hits).as("planted values in Maven output").isEmpty();
  }

  /** Asserts that no file contains any of the values (read as bytes, so binary files count). */
  public static void assertNotInFiles(Collection<Path> files, String... values) throws IOException {
    List<String> hits = new ArrayList<>();
    for (Path file : files) {
      hits.addAll(
          hits(
              file.toString(),
              Files.readString(file, StandardCharsets.ISO_8859_1),
              line -> false,
              values));
    }
    assertThat(hits).as("planted values in files").isEmpty();
  }

  /** {@code <where>:<line>: planted value #<i>} for each line holding a value. */
  public static List<String> hits(
      String where, String text, Predicate<String> excused, String... values) {
    List<String> hits = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int n = 0; n < lines.size(); n++) {
      for (int i = 0; i < values.length; i++) {
        if (lines.get(n).contains(values[i]) && !excused.test(lines.get(n))) {
          hits.add(where + ":" + (n + 1) + ": planted value #" + (i + 1));
        }
      }
    }
    return hits;
  }
}
