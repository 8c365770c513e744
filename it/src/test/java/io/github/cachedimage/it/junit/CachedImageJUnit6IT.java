package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code @CachedImage} in a real project on JUnit 6 and Testcontainers 2.0: the plugin builds and
 * the tests reuse the image; then two test classes in two forked JVMs (failsafe forkCount=2),
 * starting together without an image, share one build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CachedImageJUnit6IT {
  static final String IMAGE = "cachedimage-it/greeter";
  static final String[] VERSIONS = {"-Djunit.version=6.0.3", "-Dtestcontainers.version=2.0.5"};
  static MavenSample sample;

  @BeforeAll
  static void setUp() throws Exception {
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("6.0.3", "6.0.3", "2.0.5");
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
    BuildRecord record = sample.record(IMAGE).orElseThrow();
    assertThat(run.linesContaining(IMAGE + ": built ")).hasSize(1);
    assertThat(JunitSamples.pluginLines(run, IMAGE + ": built " + record.shortImageId()))
        .hasSize(1);
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": up to date (" + record.shortImageId()))
        .isNotEmpty();
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
    assertThat(sample.record(IMAGE).orElseThrow().builtAt()).isEqualTo(record.builtAt());
  }

  @Test
  @Order(2)
  void twoForkedJvmsShareOneBuild() throws Exception {
    Docker.removeRepository(IMAGE);
    MavenSample.Run run =
        sample
            .run(args("verify", "-Dcachedimage.skip=true", "-Dsample.forkCount=2"))
            .assertSuccess();
    // Both JVMs asked; exactly one built, the other found the image after the lock.
    assertThat(run.linesContaining(IMAGE + ": built ")).hasSize(1);
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": built ")).hasSize(1);
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": up to date (")).hasSize(1);
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
    System.out.println(
        "FIGURE forkCount=2 shared build: waited for the lock: "
            + !JunitSamples.extensionLines(run, "waiting for another process").isEmpty());
  }

  private static String[] args(String... args) {
    String[] all = new String[args.length + VERSIONS.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(VERSIONS, 0, all, args.length, VERSIONS.length);
    return all;
  }
}
