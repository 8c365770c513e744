package io.github.cachedimage.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The help descriptor that maven-plugin-plugin generates from the mojo's Javadoc (what {@code mvn
 * cached-image:help -Ddetail} prints, and what the site's goal pages render): angle-bracket
 * placeholders and element names survive.
 */
class PluginHelpDescriptorTest {
  static final String HELP =
      "META-INF/maven/io.github.cachedimage/cached-image-maven-plugin/plugin-help.xml";

  static final Path MOJO_SOURCE =
      Path.of("src/main/java/io/github/cachedimage/maven/BuildMojo.java");

  static String goalDescription;
  static String allDescriptions = "";
  static final Map<String, String> parameters = new HashMap<>();

  @BeforeAll
  static void readDescriptor() throws Exception {
    try (InputStream in =
        PluginHelpDescriptorTest.class.getClassLoader().getResourceAsStream(HELP)) {
      assertThat(in).as(HELP + " on the test classpath").isNotNull();
      Element mojo =
          (Element)
              DocumentBuilderFactory.newInstance()
                  .newDocumentBuilder()
                  .parse(in)
                  .getElementsByTagName("mojo")
                  .item(0);
      goalDescription = text(mojo, "description");
      allDescriptions = goalDescription;
      NodeList params = mojo.getElementsByTagName("parameter");
      for (int i = 0; i < params.getLength(); i++) {
        Element p = (Element) params.item(i);
        parameters.put(text(p, "name"), text(p, "description"));
        allDescriptions += "\n" + text(p, "description");
      }
    }
  }

  static String text(Element parent, String child) {
    return parent.getElementsByTagName(child).item(0).getTextContent();
  }

  @Test
  void goalDescriptionKeepsImagePlaceholders() {
    assertThat(goalDescription)
        .contains("target/cached-image/<image>.json")
        .contains("cachedimage.<image>.id")
        .contains("cachedimage.<image>.tag")
        .contains("<image>:fp-<fingerprint>")
        .contains("~/.cache/cached-image/<image>");
  }

  @Test
  void parameterDescriptionsKeepAngleBrackets() {
    assertThat(parameters.get("image")).contains(":fp-<12 hex>");
    assertThat(parameters.get("buildArgs")).contains("<JAR>target/app.jar</JAR>");
    assertThat(parameters.get("cacheFrom"))
        .contains("<cache>type=registry,ref=localhost:5000/app:cache</cache>")
        .doesNotContain(";;");
    assertThat(parameters.get("cacheTo"))
        .contains("<cache>type=registry,ref=localhost:5000/app:cache,mode=max</cache>")
        .doesNotContain(";;");
  }

  /**
   * Every {@code {@code ...}} in the goal's and parameters' Javadoc that holds a {@code <...>}
   * appears, whole, in the help descriptor: a placeholder that the descriptor generator took for an
   * HTML tag would be missing from it (and from {@code help -Ddetail}). Generic, so new parameters
   * are covered too.
   */
  @Test
  void everyAngleBracketCodeSpanOfTheMojoJavadocSurvives() throws Exception {
    List<String> spans = codeSpansWithAngleBrackets(Files.readString(MOJO_SOURCE));
    assertThat(spans).as("code spans with <...> in " + MOJO_SOURCE).hasSizeGreaterThan(8);
    String help = squash(allDescriptions);
    assertThat(spans).allSatisfy(span -> assertThat(help).contains(span));
  }

  /**
   * The text of each {@code {@code ...}} that contains '<', in the doc comments that become help:
   * the goal's (before {@code @Mojo}) and the parameters' (before {@code @Parameter}).
   */
  static List<String> codeSpansWithAngleBrackets(String source) {
    List<String> spans = new ArrayList<>();
    Matcher comment =
        Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*@(?:Mojo|Parameter)\\b", Pattern.DOTALL)
            .matcher(source);
    while (comment.find()) {
      // Javadoc continuation lines start with " * "; a code span may wrap across them.
      String text = comment.group(1).replaceAll("(?m)^\\s*\\*", " ");
      Matcher code = Pattern.compile("\\{@code\\s+([^}]*)}").matcher(text);
      while (code.find()) {
        String span = squash(code.group(1));
        if (span.contains("<")) {
          spans.add(span);
        }
      }
    }
    return spans;
  }

  static String squash(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }
}
