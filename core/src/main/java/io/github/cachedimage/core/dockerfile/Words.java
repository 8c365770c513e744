package io.github.cachedimage.core.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Words, flags and variables of one instruction's arguments, as BuildKit's shell lexer reads them.
 */
final class Words {
  private Words() {}

  /** Whitespace-separated words; quotes group (and are kept, see {@link #unquote}). */
  static List<String> split(String arguments) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < arguments.length(); i++) {
      char c = arguments.charAt(i);
      if (quote != 0) {
        word.append(c);
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        word.append(c);
      } else if (Character.isWhitespace(c)) {
        if (word.length() > 0) {
          words.add(word.toString());
          word.setLength(0);
        }
      } else {
        word.append(c);
      }
    }
    if (word.length() > 0) {
      words.add(word.toString());
    }
    return words;
  }

  /** The leading {@code --flag=value} words, unquoted. */
  static List<String> flags(String arguments) {
    List<String> flags = new ArrayList<>();
    for (String word : split(arguments)) {
      if (!word.startsWith("--")) {
        break;
      }
      flags.add(unquote(word));
    }
    return flags;
  }

  /** The value of {@code key} in {@code a=1,key=2,...} (a {@code --mount} spec), or null. */
  static String csvValue(String csv, String key) {
    for (String field : csv.split(",")) {
      int eq = field.indexOf('=');
      if (eq > 0 && field.substring(0, eq).trim().equalsIgnoreCase(key)) {
        return unquote(field.substring(eq + 1).trim());
      }
    }
    return null;
  }

  /** Without the quotes that group it ({@code "a b"} is {@code a b}). */
  static String unquote(String word) {
    StringBuilder out = new StringBuilder(word.length());
    char quote = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (quote != 0 && c == quote) {
        quote = 0;
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME-default}}, {@code
   * ${NAME:+alternative}}, {@code ${NAME+alternative}} replaced from {@code variables}; an unknown
   * name is empty, as in BuildKit. {@code \$} is a literal dollar sign.
   */
  static String substitute(String text, Map<String, String> variables) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          out.append(text, i, text.length());
          break;
        }
        out.append(expand(text.substring(i + 2, end), variables));
        i = end + 1;
      } else if (c == '$' && i + 1 < text.length() && isNameChar(text.charAt(i + 1))) {
        int end = i + 1;
        while (end < text.length() && isNameChar(text.charAt(end))) {
          end++;
        }
        String value = variables.get(text.substring(i + 1, end));
        out.append(value == null ? "" : value);
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String expand(String expression, Map<String, String> variables) {
    int op = 0;
    while (op < expression.length() && isNameChar(expression.charAt(op))) {
      op++;
    }
    String name = expression.substring(0, op);
    String value = variables.get(name);
    if (op == expression.length()) {
      return value == null ? "" : value;
    }
    boolean colon = expression.charAt(op) == ':';
    int kind = colon ? op + 1 : op;
    if (kind >= expression.length()) {
      return value == null ? "" : value;
    }
    char sign = expression.charAt(kind);
    String word = substitute(expression.substring(kind + 1), variables);
    boolean set = value != null && (!colon || !value.isEmpty());
    if (sign == '-') {
      return set ? value : word;
    }
    if (sign == '+') {
      return set ? word : "";
    }
    return value == null ? "" : value;
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
