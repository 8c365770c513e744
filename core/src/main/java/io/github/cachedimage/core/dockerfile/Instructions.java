package io.github.cachedimage.core.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Dockerfile's instructions as BuildKit's parser reads them: parser directives at the top (the
 * {@code escape} one changes the line-continuation character), comment lines dropped (inside a
 * continuation too), continued lines joined, here-document bodies ({@code RUN <<EOF ... EOF})
 * skipped.
 */
final class Instructions {

  /**
   * One instruction.
   *
   * @param keyword upper case ({@code FROM}, {@code COPY}, ...)
   * @param arguments the rest of the logical line, continuations joined
   */
  record Instruction(String keyword, String arguments) {}

  private Instructions() {}

  static List<Instruction> parse(String text) {
    String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
    char escape = '\\';
    int i = 0;
    // parser directives: "# name=value" lines before anything else
    while (i < lines.length) {
      String directive = directive(lines[i]);
      if (directive == null) {
        break;
      }
      int eq = directive.indexOf('=');
      String name = directive.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = directive.substring(eq + 1).trim();
      if (name.equals("escape") && (value.equals("`") || value.equals("\\"))) {
        escape = value.charAt(0);
      }
      i++;
    }
    List<Instruction> out = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    while (i < lines.length) {
      String line = lines[i++];
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.length() > 0)) {
        continue; // comments go, wherever they are; blank lines inside a continuation too
      }
      if (trimmed.isEmpty()) {
        continue;
      }
      String content = stripTrailing(line);
      if (content.charAt(content.length() - 1) == escape) {
        logical.append(content, 0, content.length() - 1);
        continue;
      }
      logical.append(content);
      String instruction = logical.toString().strip();
      logical.setLength(0);
      i = skipHeredocs(instruction, lines, i);
      int space = firstSpace(instruction);
      String keyword = instruction.substring(0, space).toUpperCase(Locale.ROOT);
      out.add(new Instruction(keyword, instruction.substring(space).strip()));
    }
    if (logical.length() > 0) {
      String instruction = logical.toString().strip();
      int space = firstSpace(instruction);
      out.add(
          new Instruction(
              instruction.substring(0, space).toUpperCase(Locale.ROOT),
              instruction.substring(space).strip()));
    }
    return out;
  }

  /** {@code name=value} of a directive line, or {@code null}. */
  private static String directive(String line) {
    String s = line.strip();
    if (!s.startsWith("#")) {
      return null;
    }
    s = s.substring(1).strip();
    int eq = s.indexOf('=');
    if (eq <= 0) {
      return null;
    }
    String name = s.substring(0, eq).strip();
    for (int k = 0; k < name.length(); k++) {
      if (!Character.isLetterOrDigit(name.charAt(k))) {
        return null;
      }
    }
    return s;
  }

  /**
   * Past the bodies of the here-documents this instruction opens ({@code <<EOF}, {@code <<-EOF}).
   */
  private static int skipHeredocs(String instruction, String[] lines, int next) {
    int from = 0;
    while (true) {
      int at = instruction.indexOf("<<", from);
      if (at < 0 || (at + 2 < instruction.length() && instruction.charAt(at + 2) == '<')) {
        return next;
      }
      int p = at + 2;
      boolean tabs = p < instruction.length() && instruction.charAt(p) == '-';
      if (tabs) {
        p++;
      }
      char quote = p < instruction.length() ? instruction.charAt(p) : 0;
      if (quote == '"' || quote == '\'') {
        p++;
      }
      int start = p;
      while (p < instruction.length()
          && (Character.isLetterOrDigit(instruction.charAt(p)) || instruction.charAt(p) == '_')) {
        p++;
      }
      from = p;
      if (p == start) {
        continue;
      }
      String word = instruction.substring(start, p);
      while (next < lines.length) {
        String body = lines[next++];
        if ((tabs ? body.replaceFirst("^\t+", "") : body).equals(word)) {
          break;
        }
      }
    }
  }

  private static String stripTrailing(String line) {
    return line.stripTrailing();
  }

  private static int firstSpace(String s) {
    for (int k = 0; k < s.length(); k++) {
      if (Character.isWhitespace(s.charAt(k))) {
        return k;
      }
    }
    return s.length();
  }
}
