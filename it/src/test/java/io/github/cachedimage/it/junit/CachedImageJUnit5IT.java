package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code @CachedImage} in a real project on JUnit 5.10 and Testcontainers 1.21, as one story: the
 * plugin builds and the tests run that image without building; after the image is removed the test
 * run builds it; after a source change a test run without the plugin rebuilds and serves the
 * change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CachedImageJUnit5IT {
  static final String IMAGE = "cachedimage-it/greeter";
  static final String[] VERSIONS = {"-Djunit.version=5.10.3", "-Dtestcontainers.version=1.21.4"};
  static MavenSample sample;
  static BuildRecord built;

  @BeforeAll
  static void setUp() throws Exception {
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    Docker.removeRepository(IMAGE);
    sample = JunitSamples.copy("greeter");
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(IMAGE);
  }

  @Test
  @Order(1)
  void pluginBuildsAndTheTestsRunThatImageWithoutBuilding() throws Exception {
    MavenSample.Run run = sample.run(args("verify")).assertSuccess();
    built = sample.record(IMAGE).orElseThrow();
    // One build, the plugin's; the extension found it fresh.
    assertThat(run.linesContaining(IMAGE + ": built ")).hasSize(1);
    assertThat(JunitSamples.pluginLines(run, IMAGE + ": built " + built.shortImageId())).hasSize(1);
    assertThat(
            JunitSamples.extensionLines(
                run, IMAGE + ": up to date (" + built.shortImageId() + ", inputs unchanged)"))
        .isNotEmpty();
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
    // The test run left the plugin's record alone.
    assertThat(sample.record(IMAGE).orElseThrow().builtAt()).isEqualTo(built.builtAt());
  }

  @Test
  @Order(2)
  void afterTheImageIsRemovedTheTestRunBuildsIt() throws Exception {
    Docker.removeRepository(IMAGE);
    MavenSample.Run run = sample.run(args("verify", "-Dcachedimage.skip=true")).assertSuccess();
    run.assertLogContains("cached-image: skipped");
    assertThat(
            JunitSamples.extensionLines(
                run,
                IMAGE + ": building (image " + built.shortImageId() + " is gone from the engine)"))
        .hasSize(1);
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": built ")).hasSize(1);
    BuildRecord rebuilt = sample.record(IMAGE).orElseThrow();
    assertThat(rebuilt.builtAt()).isAfter(built.builtAt());
    assertThat(rebuilt.fingerprint()).isEqualTo(built.fingerprint());
    assertThat(Docker.imageId(rebuilt.contentTag())).contains(rebuilt.imageId());
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
  }

  @Test
  @Order(3)
  void afterASourceChangeATestRunWithoutThePluginRebuildsAndServesTheChange() throws Exception {
    var source = sample.file("src/main/java/greeter/Greeter.java");
    Files.writeString(
        source, Files.readString(source).replace("GREETING = \"hello\"", "GREETING = \"hallo\""));
    MavenSample.Run run =
        sample
            .run(args("verify", "-Dcachedimage.skip=true", "-Dexpected.greeting=hallo"))
            .assertSuccess();
    assertThat(
            JunitSamples.extensionLines(
                run, IMAGE + ": building (inputs changed: target/classes/greeter/Greeter.class)"))
        .hasSize(1);
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": built ")).hasSize(1);
    // GreeterIT and GreeterAgainIT assert the body equals -Dexpected.greeting.
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
  }

  private static String[] args(String... args) {
    String[] all = new String[args.length + VERSIONS.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(VERSIONS, 0, all, args.length, VERSIONS.length);
    return all;
  }
}
