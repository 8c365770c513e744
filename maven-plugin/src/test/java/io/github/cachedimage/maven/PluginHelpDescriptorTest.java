package io.github.cachedimage.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The help descriptor that maven-plugin-plugin generates from the mojo's Javadoc (what {@code mvn
 * cached-image:help -Ddetail} prints): angle-bracket placeholders and element names survive.
 */
class PluginHelpDescriptorTest {
  static final String HELP =
      "META-INF/maven/io.github.cachedimage/cached-image-maven-plugin/plugin-help.xml";

  static String goalDescription;
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
      NodeList params = mojo.getElementsByTagName("parameter");
      for (int i = 0; i < params.getLength(); i++) {
        Element p = (Element) params.item(i);
        parameters.put(text(p, "name"), text(p, "description"));
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
}
