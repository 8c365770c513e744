package io.github.cachedimage.it.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of one {@code bench/run-all} run and how they are written: samples per scenario and
 * contender (milliseconds, one per round), the targets judged on medians measured in the
 * same run, a Markdown page and a JSON file per run, and the index {@code bench/results/README.md}
 * (the newest full run's targets first, every run below it, newest first).
 */
final class BenchReport {

  /** A scenario: its title, what it measures, and its contenders' samples in insertion order. */
  record Scenario(String key, String title, String note, Map<String, List<Double>> samples) {}

  /**
   * A target of issue 15: {@code numerator / denominator} (or {@code numerator} alone when {@code
   * denominator} is null) compared with {@code bound}.
   *
   * @param op {@code <=}, {@code <} or {@code >=}
   */
  record Target(String name, String[] numerator, String[] denominator, String op, double bound) {}

  /** A target judged: the figure, or NaN when a sample is missing. */
  record Verdict(Target target, double value, String formula) {
    boolean met() {
      return switch (target.op()) {
        case "<=" -> value <= target.bound();
        case "<" -> value < target.bound();
        case ">=" -> value >= target.bound();
        default -> throw new IllegalArgumentException(target.op());
      };
    }

    String word() {
      return Double.isNaN(value) ? "not measured" : met() ? "met" : "missed";
    }

    String figure() {
      if (Double.isNaN(value)) {
        return "—";
      }
      return target.denominator() == null
          ? String.format(Locale.ROOT, "%.1f ms", value)
          : String.format(Locale.ROOT, "%.2f x", value);
    }

    String bound() {
      // the issue's own figures (1.05, 0.15, 20) exactly
      String b = java.math.BigDecimal.valueOf(target.bound()).stripTrailingZeros().toPlainString();
      return target.op() + " " + b + (target.denominator() == null ? " ms" : " x");
    }
  }

  final Map<String, Scenario> scenarios = new LinkedHashMap<>();
  final List<Target> targets = new ArrayList<>();
  final Map<String, String> machine = new LinkedHashMap<>();
  final List<String> notes = new ArrayList<>();

  Scenario scenario(String key, String title, String note) {
    return scenarios.computeIfAbsent(key, k -> new Scenario(k, title, note, new LinkedHashMap<>()));
  }

  void add(String scenario, String contender, double millis) {
    scenarios
        .get(scenario)
        .samples()
        .computeIfAbsent(contender, c -> new ArrayList<>())
        .add(millis);
  }

  double median(String scenario, String contender) {
    Scenario s = scenarios.get(scenario);
    List<Double> values = s == null ? null : s.samples().get(contender);
    return values == null || values.isEmpty() ? Double.NaN : median(values);
  }

  static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  List<Verdict> verdicts() {
    List<Verdict> verdicts = new ArrayList<>();
    for (Target t : targets) {
      double top = median(t.numerator()[0], t.numerator()[1]);
      if (t.denominator() == null) {
        verdicts.add(new Verdict(t, top, fmt(top) + " ms"));
        continue;
      }
      double bottom = median(t.denominator()[0], t.denominator()[1]);
      verdicts.add(
          new Verdict(
              t,
              top / bottom,
              fmt(top)
                  + " / "
                  + fmt(bottom)
                  + " ms ("
                  + t.numerator()[1]
                  + " / "
                  + t.denominator()[1]
                  + ")"));
    }
    return verdicts;
  }

  static String fmt(double millis) {
    if (Double.isNaN(millis)) {
      return "—";
    }
    return millis >= 100
        ? String.format(Locale.ROOT, "%.0f", millis)
        : String.format(Locale.ROOT, "%.1f", millis);
  }

  /** The targets as a Markdown table: what the README shows first. */
  String targetTable() {
    StringBuilder t = new StringBuilder();
    t.append("| target | measured (medians, same run) | ratio | bound | |\n");
    t.append("|---|---|---|---|---|\n");
    for (Verdict v : verdicts()) {
      t.append("| ")
          .append(v.target().name())
          .append(" | ")
          .append(v.formula())
          .append(" | ")
          .append(v.figure())
          .append(" | ")
          .append(v.bound())
          .append(" | ")
          .append(v.word().equals("met") ? "**met**" : v.word())
          .append(" |\n");
    }
    return t.toString();
  }

  /** One line per target, for the console: {@code met fresh runner ...: 1.03 x (<= 1.05 x)}. */
  String targetLines() {
    StringBuilder t = new StringBuilder();
    for (Verdict v : verdicts()) {
      t.append(
          String.format(
              Locale.ROOT,
              "%-12s %s: %s (%s; %s)%n",
              v.word(),
              v.target().name(),
              v.figure(),
              v.bound(),
              v.formula()));
    }
    return t.toString();
  }

  String scenarioTables() {
    StringBuilder t = new StringBuilder();
    for (Scenario s : scenarios.values()) {
      if (s.samples().isEmpty()) {
        continue;
      }
      t.append("### ").append(s.title()).append("\n\n").append(s.note()).append("\n\n");
      t.append(
          "| contender | median | min | max | rounds (ms, in order) |\n|---|---|---|---|---|\n");
      for (var e : s.samples().entrySet()) {
        List<Double> v = e.getValue();
        t.append("| ")
            .append(e.getKey())
            .append(" | ")
            .append(fmt(median(v)))
            .append(" ms | ")
            .append(fmt(v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN)))
            .append(" | ")
            .append(fmt(v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)))
            .append(" | ")
            .append(String.join(" ", v.stream().map(BenchReport::fmt).toList()))
            .append(" |\n");
      }
      t.append("\n");
    }
    return t.toString();
  }

  String markdown(String title, String intro) {
    StringBuilder m = new StringBuilder();
    m.append("# ").append(title).append("\n\n").append(intro).append("\n\n");
    m.append("## Targets (issue 15)\n\n").append(targetTable()).append("\n");
    m.append("## Machine\n\n| | |\n|---|---|\n");
    machine.forEach(
        (k, v) ->
            m.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
    m.append("\n## Scenarios\n\n").append(scenarioTables());
    if (!notes.isEmpty()) {
      m.append("## Notes\n\n");
      notes.forEach(n -> m.append("- ").append(n).append("\n"));
    }
    return m.toString();
  }

  String json(Map<String, Object> header) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>(header);
    root.put("machine", machine);
    Map<String, Object> scenes = new LinkedHashMap<>();
    for (Scenario s : scenarios.values()) {
      Map<String, Object> contenders = new LinkedHashMap<>();
      for (var e : s.samples().entrySet()) {
        List<Double> v = e.getValue();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("unit", "ms");
        c.put("samples", v);
        c.put("median", median(v));
        c.put("min", v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
        c.put("max", v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        contenders.put(e.getKey(), c);
      }
      scenes.put(s.key(), Map.of("title", s.title(), "contenders", contenders));
    }
    root.put("scenarios", scenes);
    List<Map<String, Object>> verdicts = new ArrayList<>();
    for (Verdict v : verdicts()) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("target", v.target().name());
      t.put("numerator", Arrays.asList(v.target().numerator()));
      t.put(
          "denominator",
          v.target().denominator() == null ? null : Arrays.asList(v.target().denominator()));
      t.put("op", v.target().op());
      t.put("bound", v.target().bound());
      t.put("value", Double.isNaN(v.value()) ? null : v.value());
      t.put("verdict", v.word());
      verdicts.add(t);
    }
    root.put("targets", verdicts);
    root.put("notes", notes);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root)
        + "\n";
  }

  static final String CURRENT_START = "<!-- current: written by bench/run-all -->";
  static final String CURRENT_END = "<!-- /current -->";
  static final String HISTORY_START = "<!-- history: written by bench/run-all, newest first -->";
  static final String HISTORY_END = "<!-- /history -->";

  /**
   * The index with this run in it: a full run replaces the current table; every run gets a line at
   * the top of the history. The text around the markers is left as it is.
   */
  static String updateIndex(String index, String runFile, String line, String currentTable) {
    String out = index;
    if (currentTable != null) {
      out = replaceBetween(out, CURRENT_START, CURRENT_END, "\n" + currentTable + "\n");
    }
    Matcher m =
        Pattern.compile(
                Pattern.quote(HISTORY_START) + "\n(.*?)" + Pattern.quote(HISTORY_END),
                Pattern.DOTALL)
            .matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("the index has no " + HISTORY_START + " marker");
    }
    List<String> lines = new ArrayList<>(m.group(1).lines().filter(l -> !l.isBlank()).toList());
    lines.removeIf(
        l -> l.contains("(" + runFile + ")")); // a rerun on the same day replaces its line
    lines.add(0, line);
    return replaceBetween(out, HISTORY_START, HISTORY_END, "\n" + String.join("\n", lines) + "\n");
  }

  private static String replaceBetween(String text, String start, String end, String body) {
    int a = text.indexOf(start);
    int b = text.indexOf(end);
    if (a < 0 || b < a) {
      throw new IllegalStateException("the index has no " + start + " ... " + end + " block");
    }
    return text.substring(0, a + start.length()) + body + text.substring(b);
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
