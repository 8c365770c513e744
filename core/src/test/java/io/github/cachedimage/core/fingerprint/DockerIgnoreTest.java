package io.github.cachedimage.core.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cases from Docker's documentation and moby/patternmatcher's tests. */
class DockerIgnoreTest {

  private static DockerIgnore ignore(String... lines) {
    return DockerIgnore.parse(List.of(lines));
  }

  @Test
  void starDoesNotCrossDirectoriesButAParentMatchExcludesItsTree() {
    DockerIgnore i = ignore("*/temp*", "*/*/temp*", "temp?");
    assertThat(i.excludes("somedir/temporary.txt")).isTrue();
    assertThat(i.excludes("somedir/subdir/temporary.txt")).isTrue();
    assertThat(i.excludes("tempa")).isTrue();
    assertThat(i.excludes("tempab")).isFalse();
    assertThat(i.excludes("temporary.txt")).isFalse();
    assertThat(ignore("*.md").excludes("docs/a.md")).isFalse();
    assertThat(ignore("target").excludes("target/classes/A.class")).isTrue();
  }

  @Test
  void doubleStarMatchesAnyNumberOfDirectoriesIncludingNone() {
    assertThat(ignore("**/*.go").excludes("a.go")).isTrue();
    assertThat(ignore("**/*.go").excludes("x/y/a.go")).isTrue();
    assertThat(ignore("a/**/b").excludes("a/b")).isTrue();
    assertThat(ignore("a/**/b").excludes("a/x/y/b")).isTrue();
    assertThat(ignore("a/**").excludes("a/x/y")).isTrue();
    assertThat(ignore("**").excludes("anything/at/all")).isTrue();
  }

  @Test
  void exceptionsLastMatchWins() {
    DockerIgnore i = ignore("*.md", "!README*.md", "README-secret.md");
    assertThat(i.excludes("CHANGES.md")).isTrue();
    assertThat(i.excludes("README.md")).isFalse();
    assertThat(i.excludes("README-secret.md")).isTrue();
    assertThat(i.hasExclusions()).isTrue();

    DockerIgnore everythingBut = ignore("*", "!Dockerfile", "!app/", "app/**/*.tmp");
    assertThat(everythingBut.excludes("pom.xml")).isTrue();
    assertThat(everythingBut.excludes("app")).isFalse();
    assertThat(everythingBut.excludes("app/message.txt")).isFalse();
    assertThat(everythingBut.excludes("app/x.tmp")).isTrue();
    assertThat(everythingBut.excludes("app/sub/x.tmp")).isTrue();
  }

  @Test
  void commentsBlankLinesLeadingSlashesAndDotsAreCleaned() {
    DockerIgnore i = ignore("# a comment", "", "   ", "/secret.txt", "./build/", "x/../y", ".");
    assertThat(i.excludes("secret.txt")).isTrue();
    assertThat(i.excludes("build/out.bin")).isTrue();
    assertThat(i.excludes("y")).isTrue();
    assertThat(i.excludes("x")).isFalse();
    assertThat(i.excludes("other")).isFalse();
  }

  @Test
  void regexCharactersAreLiteralAndClassesWork() {
    assertThat(ignore("a+b(1).txt").excludes("a+b(1).txt")).isTrue();
    assertThat(ignore("a+b(1).txt").excludes("aab1.txt")).isFalse();
    assertThat(ignore("file[0-9].log").excludes("file7.log")).isTrue();
    assertThat(ignore("file[^0-9].log").excludes("file7.log")).isFalse();
    assertThat(ignore("\\*.txt").excludes("*.txt")).isTrue();
    assertThat(ignore("\\*.txt").excludes("a.txt")).isFalse();
  }

  @Test
  void literalPrefixAndSuffixPatternsMatchAsPatternmatcherDoes() {
    // patternmatcher's exactMatch, prefixMatch and suffixMatch, which skip the regular expression
    assertThat(ignore("a.txt").excludes("a.txt")).isTrue();
    assertThat(ignore("a.txt").excludes("abtxt")).isFalse();
    assertThat(ignore("build**").excludes("build-output/x")).isTrue();
    assertThat(ignore("build**").excludes("buil")).isFalse();
    // "**foo" is a plain suffix there, so it matches "barfoo" (a regular expression would not)
    assertThat(ignore("**foo").excludes("barfoo")).isTrue();
    assertThat(ignore("**/foo").excludes("barfoo")).isFalse();
    assertThat(ignore("**/foo").excludes("foo")).isTrue();
    assertThat(ignore("**/foo").excludes("x/y/foo")).isTrue();
    assertThat(ignore("**/foo").excludes("x/foo/inside")).isTrue();
    // an escaped character needs the regular expression
    assertThat(ignore("a\\*b").excludes("a*b")).isTrue();
    assertThat(ignore("a\\*b").excludes("axb")).isFalse();
  }

  @Test
  void parentResultsCarriedDownGiveDockersVerdicts() {
    DockerIgnore i = ignore("*", "!Dockerfile", "!app/", "app/**/*.tmp", "!app/keep/**", "docs");
    Map<String, Boolean> expected = new LinkedHashMap<>();
    expected.put("pom.xml", true);
    expected.put("Dockerfile", false);
    expected.put("app", false);
    expected.put("app/a.txt", false); // "*" matches its parent, "!app/" re-includes it
    expected.put("app/x.tmp", true);
    expected.put("app/sub/y.tmp", true);
    expected.put("app/keep/z.tmp", false);
    expected.put("docs", true);
    expected.put("docs/readme.md", true);
    expected.put("docs/app/x", true); // "!app/" is anchored at the context root
    expected.forEach(
        (path, excluded) -> {
          // as the walker does it: results carried down directory by directory
          boolean[] parents = i.root();
          String[] parts = path.split("/");
          for (int k = 1; k < parts.length; k++) {
            parents = i.enter(parents, String.join("/", Arrays.copyOf(parts, k)));
          }
          assertThat(i.excludes(path, parents)).as(path).isEqualTo(excluded);
          assertThat(i.excludes(path)).as(path).isEqualTo(excluded);
        });
  }

  @Test
  void aFileThatIsNotUtf8IsReadAsBuildKitReadsIt(@TempDir Path dir) throws IOException {
    // BuildKit reads bytes: a Latin-1 comment or pattern is no error there, so none here either
    Path file = dir.resolve(".dockerignore");
    Files.write(
        file, "# caf\u00e9\r\n*.log\ncaf\u00e9.txt\n".getBytes(StandardCharsets.ISO_8859_1));
    DockerIgnore ignore = DockerIgnore.read(file);
    assertThat(ignore.excludes("app.log")).isTrue();
    assertThat(ignore.excludes("app.txt")).isFalse();
    assertThat(ignore.excludes("caf\ufffd.txt")).isTrue();
  }

  @Test
  void patternsBuildKitRejectsAreErrorsWithTheirLine() {
    assertThat(IgnoreRule.syntaxError("file[0-9].log")).isNull();
    assertThat(IgnoreRule.syntaxError("[^a]\\[x\\]")).isNull();
    assertThat(IgnoreRule.syntaxError("a["))
        .isEqualTo("the [ at 2 is not closed by ] (write \\[ for a literal [)");
    assertThat(IgnoreRule.syntaxError("[]"))
        .isEqualTo("the class at 1 is empty or has a range without an end");
    assertThat(IgnoreRule.syntaxError("x\\")).isEqualTo("a trailing \\ escapes nothing");
    assertThatThrownBy(() -> ignore("ok", "", "bad["))
        .hasMessage("line 3: 'bad[': the [ at 4 is not closed by ] (write \\[ for a literal [)");
  }
}
