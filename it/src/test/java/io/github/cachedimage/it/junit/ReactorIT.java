package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image built in one module, its {@code @CachedImage} tests in another that configures nothing
 * of ours: {@code mvn verify} from the root works, and sees a source change.
 */
class ReactorIT {
  static final String IMAGE = "cachedimage-it/reactor-service";

  @BeforeAll
  static void setUp() {
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    Docker.removeRepository(IMAGE);
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(IMAGE);
  }

  @Test
  void testsInAnotherModuleRunTheImageTheServiceModuleBuilt() throws Exception {
    MavenSample sample = JunitSamples.copy("reactor");
    MavenSample.Run run = sample.run("verify").assertSuccess();
    BuildRecord built = record(sample);
    assertThat(
            JunitSamples.extensionLines(
                run, IMAGE + ": up to date (" + built.shortImageId() + ", inputs unchanged)"))
        .hasSize(1);
    run.assertLogContains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
    // found through the pointer the plugin left in the reactor root
    assertThat(
            Files.readString(
                new RecordStore(sample.file("target/cached-image"), IMAGE).pointerFile()))
        .isEqualTo(sample.file("service/target/cached-image").toString());

    var source = sample.file("service/src/main/java/greeter/Greeter.java");
    Files.writeString(
        source, Files.readString(source).replace("GREETING = \"hello\"", "GREETING = \"hallo\""));
    MavenSample.Run again = sample.run("verify", "-Dexpected.greeting=hallo").assertSuccess();
    BuildRecord rebuilt = record(sample);
    assertThat(rebuilt.imageId()).isNotEqualTo(built.imageId());
    assertThat(
            JunitSamples.extensionLines(
                again, IMAGE + ": up to date (" + rebuilt.shortImageId() + ", inputs unchanged)"))
        .hasSize(1);
    again.assertLogContains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
  }

  private static BuildRecord record(MavenSample sample) {
    return new RecordStore(sample.file("service/target/cached-image"), IMAGE)
        .record()
        .orElseThrow();
  }
}
