package io.github.cachedimage.core.fingerprint;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * {@code .dockerignore} with Docker's own semantics: a line-for-line port of the reader in
 * moby/buildkit {@code frontend/dockerui} ({@code ignorefile.ReadAll}) and the matcher in
 * moby/patternmatcher ({@code MatchesOrParentMatches}, Apache-2.0), which is what BuildKit uses to
 * filter the context it sends. Comments ({@code #}), {@code !} exceptions (last match wins), {@code
 * **} for any number of directories including none, {@code *} and {@code ?} not crossing {@code /},
 * a pattern matching a directory excluding everything under it, leading {@code /} and {@code ./}
 * cleaned away.
 *
 * <p>Not a library dependency: docker-java-core's {@code GoLangFileMatch} is not on the JUnit
 * extension's classpath (Testcontainers shades it away) and differs from Docker for {@code **}
 * matching zero directories ({@code **}{@code /*.txt} vs {@code a.txt}).
 */
final class DockerIgnore {

  private final List<IgnoreRule> rules;
  private final boolean hasExclusions;

  private DockerIgnore(List<IgnoreRule> rules) {
    this.rules = List.copyOf(rules);
    boolean exclusions = false;
    for (IgnoreRule rule : rules) {
      exclusions |= rule.exclusion();
    }
    this.hasExclusions = exclusions;
  }

  /** No patterns: everything is sent. */
  public static DockerIgnore none() {
    return new DockerIgnore(List.of());
  }

  /**
   * The ignore file BuildKit would use for this Dockerfile: {@code <Dockerfile>.dockerignore} next
   * to the Dockerfile if present, else {@code .dockerignore} in the context.
   */
  public static Path locate(Path contextDirectory, Path dockerfile) {
    Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
    if (Files.isRegularFile(specific)) {
      return specific;
    }
    return contextDirectory.resolve(".dockerignore");
  }

  /**
   * Reads the file as BuildKit does: bytes split at {@code \n} (a trailing {@code \r} dropped), as
   * UTF-8 with bytes that are not replaced by U+FFFD, as the JDK decodes such file names.
   *
   * @throws InvalidBuildSpecException naming the file, line and pattern when a pattern is one that
   *     BuildKit rejects ({@code syntax error in pattern})
   */
  public static DockerIgnore read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return none();
    }
    // Not Files.readAllLines: it fails on a byte that is not UTF-8, which docker build accepts.
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }
    try {
      return parse(lines);
    } catch (BadPattern e) {
      throw new InvalidBuildSpecException(
          null, HelpfulSuggestions.badIgnorePattern(file, e.line, e.pattern, e.reason), file);
    }
  }

  /**
   * @throws BadPattern for a pattern BuildKit rejects
   */
  public static DockerIgnore parse(List<String> lines) {
    List<IgnoreRule> rules = new ArrayList<>();
    int number = 0;
    for (String line : lines) {
      number++;
      if (!line.isEmpty() && line.charAt(0) == '\ufeff') {
        line = line.substring(1);
      }
      if (line.startsWith("#")) {
        continue;
      }
      String pattern = line.strip();
      if (pattern.isEmpty()) {
        continue;
      }
      boolean invert = pattern.charAt(0) == '!';
      if (invert) {
        pattern = pattern.substring(1).strip();
      }
      if (!pattern.isEmpty()) {
        pattern = clean(pattern);
        if (pattern.length() > 1 && pattern.charAt(0) == '/') {
          pattern = pattern.substring(1);
        }
      }
      // patternmatcher.New: clean again, skip "." (matches everything, as Docker always sends it)
      pattern = clean(pattern);
      if (pattern.isEmpty() || pattern.equals(".")) {
        continue;
      }
      String error = IgnoreRule.syntaxError(pattern);
      if (error != null) {
        throw new BadPattern(number, line.strip(), error);
      }
      try {
        rules.add(IgnoreRule.of(pattern, invert));
      } catch (PatternSyntaxException e) {
        throw new BadPattern(number, line.strip(), e.getDescription());
      }
    }
    return new DockerIgnore(rules);
  }

  /** A pattern BuildKit rejects, with its 1-based line. */
  static final class BadPattern extends IllegalArgumentException {
    final int line;
    final String pattern;
    final String reason;

    BadPattern(int line, String pattern, String reason) {
      super("line " + line + ": '" + pattern + "': " + reason);
      this.line = line;
      this.pattern = pattern;
      this.reason = reason;
    }
  }

  /** Whether any {@code !} exception exists (then excluded directories must still be walked). */
  public boolean hasExclusions() {
    return hasExclusions;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Whether a context-relative path (with {@code /}) is excluded: the last matching pattern wins,
   * and a pattern matching any parent directory matches the path.
   */
  public boolean excludes(String relativePath) {
    boolean[] parents = root();
    int slash = relativePath.indexOf('/');
    while (slash >= 0) {
      parents = enter(parents, relativePath.substring(0, slash));
      slash = relativePath.indexOf('/', slash + 1);
    }
    return excludes(relativePath, parents);
  }

  /** The parent results for entries at the top of the context: no parent matches yet. */
  public boolean[] root() {
    return new boolean[rules.size()];
  }

  /**
   * The parent results for the entries of a directory: per rule, whether it matches the directory
   * or one of its parents. Walkers carry these down, as BuildKit's does ({@code
   * MatchesUsingParentResults}), so each entry is matched once per rule, not once per ancestor.
   */
  public boolean[] enter(boolean[] parentResults, String directory) {
    boolean[] results = new boolean[rules.size()];
    for (int i = 0; i < results.length; i++) {
      results[i] = parentResults[i] || rules.get(i).matches(directory);
    }
    return results;
  }

  /**
   * {@link #excludes(String)} for an entry whose parent directory's results are known (from {@link
   * #root} or {@link #enter}).
   */
  public boolean excludes(String relativePath, boolean[] parentResults) {
    boolean matched = false;
    for (int i = 0; i < parentResults.length; i++) {
      IgnoreRule rule = rules.get(i);
      // Skip rules that cannot change the verdict.
      if (rule.exclusion() != matched) {
        continue;
      }
      if (parentResults[i] || rule.matches(relativePath)) {
        matched = !rule.exclusion();
      }
    }
    return matched;
  }

  /** Go's {@code filepath.Clean} for slash-separated paths. */
  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.charAt(0) == '/';
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(part);
    }
    String joined = String.join("/", out);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
