package io.github.cachedimage.core.fingerprint;

import java.util.regex.Pattern;

/**
 * One {@code .dockerignore} pattern as moby/patternmatcher compiles and matches it (see {@link
 * DockerIgnore}).
 */
record IgnoreRule(String pattern, IgnoreRule.Kind kind, Pattern regex, boolean exclusion) {

  /** patternmatcher's match types: only patterns with wildcards pay for a regular expression. */
  enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    REGEX
  }

  /** patternmatcher's {@code Pattern.match}. */
  boolean matches(CharSequence path) {
    // if, not an enum switch: that compiles to one more class to load in the cold check
    if (kind == Kind.EXACT) {
      return pattern.contentEquals(path);
    }
    if (kind == Kind.PREFIX) {
      return path.toString().startsWith(pattern.substring(0, pattern.length() - 2));
    }
    if (kind == Kind.SUFFIX) {
      String suffix = pattern.substring(2);
      String p = path.toString();
      // "**/foo" matches "foo" too
      return p.endsWith(suffix)
          || (!suffix.isEmpty() && suffix.charAt(0) == '/' && p.equals(suffix.substring(1)));
    }
    return regex.matcher(path).matches();
  }

  /**
   * patternmatcher's {@code Pattern.compile}: a pattern without wildcards is compared as a string,
   * {@code foo**} as a prefix, {@code **foo} as a suffix, anything else as a regular expression.
   */
  static IgnoreRule of(String pattern, boolean exclusion) {
    Kind kind = Kind.EXACT;
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char ch = pattern.charAt(i);
      if (ch == '*' && i + 1 < n && pattern.charAt(i + 1) == '*') {
        int start = i;
        i++;
        if (i + 1 < n && pattern.charAt(i + 1) == '/') {
          i++;
        }
        if (i + 1 >= n) {
          kind = kind == Kind.EXACT ? Kind.PREFIX : Kind.REGEX;
        } else {
          kind = Kind.REGEX;
        }
        if (start == 0) {
          kind = Kind.SUFFIX;
        }
      } else if (ch == '*' || ch == '?' || ch == '[' || ch == ']') {
        kind = Kind.REGEX;
      } else if (ch == '\\' && i + 1 < n) {
        i++;
        kind = Kind.REGEX;
      }
    }
    return new IgnoreRule(pattern, kind, kind == Kind.REGEX ? compile(pattern) : null, exclusion);
  }

  /**
   * Why Go's {@code filepath.Match} rejects the pattern ({@code ErrBadPattern}, which
   * patternmatcher checks every pattern with and BuildKit reports as {@code syntax error in
   * pattern}), or {@code null}: an unclosed {@code [}, a class that is empty or has a range without
   * an end, a trailing {@code \}.
   */
  static String syntaxError(String pattern) {
    int n = pattern.length();
    int i = 0;
    while (i < n) {
      char ch = pattern.charAt(i);
      if (ch == '\\') {
        if (i + 1 >= n) {
          return "a trailing \\ escapes nothing";
        }
        i += 2;
      } else if (ch == '[') {
        int open = i;
        i++;
        if (i < n && pattern.charAt(i) == '^') {
          i++;
        }
        int ranges = 0;
        while (!(i < n && pattern.charAt(i) == ']' && ranges > 0)) {
          i = classChar(pattern, i);
          if (i >= 0 && pattern.charAt(i) == '-') {
            i = classChar(pattern, i + 1);
          }
          if (i < 0) {
            return pattern.indexOf(']', open + 1) < 0
                ? "the [ at " + (open + 1) + " is not closed by ] (write \\[ for a literal [)"
                : "the class at " + (open + 1) + " is empty or has a range without an end";
          }
          ranges++;
        }
        i++;
      } else {
        i++;
      }
    }
    return null;
  }

  /** Go's {@code getEsc}: past one class character, or -1 if there is none or nothing follows. */
  private static int classChar(String pattern, int i) {
    int n = pattern.length();
    if (i >= n || pattern.charAt(i) == '-' || pattern.charAt(i) == ']') {
      return -1;
    }
    if (pattern.charAt(i) == '\\' && ++i >= n) {
      return -1;
    }
    i += Character.charCount(pattern.codePointAt(i));
    return i >= n ? -1 : i;
  }

  /** patternmatcher's Pattern.compile, with its fast paths folded into the regular expression. */
  static Pattern compile(String pattern) {
    StringBuilder regex = new StringBuilder("^");
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char ch = pattern.charAt(i);
      if (ch == '*') {
        if (i + 1 < n && pattern.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < n && pattern.charAt(i + 1) == '/') {
            i++;
          }
          if (i + 1 >= n) {
            regex.append(".*");
          } else {
            regex.append("(.*/)?");
          }
        } else {
          regex.append("[^/]*");
        }
      } else if (ch == '?') {
        regex.append("[^/]");
      } else if (".+()|{}$".indexOf(ch) >= 0) {
        regex.append('\\').append(ch);
      } else if (ch == '\\') {
        if (i + 1 < n) {
          regex.append('\\').append(pattern.charAt(++i));
        } else {
          regex.append("\\\\");
        }
      } else if (ch == '[' || ch == ']') {
        regex.append(ch);
      } else {
        regex.append(ch);
      }
    }
    regex.append('$');
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
