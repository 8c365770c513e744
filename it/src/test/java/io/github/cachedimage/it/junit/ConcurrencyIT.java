package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's concurrency, in one Maven run of {@code it/samples-junit/concurrency} with {@code -T
 * 2}: two modules build two different images with the plugin at the same time, then four forked
 * test JVMs (two per module, met at a barrier) ask at once for a third image no one has built.
 */
class ConcurrencyIT {
  static final String SHARED = "cachedimage-it/conc-shared";
  static final String A = "cachedimage-it/conc-a";
  static final String B = "cachedimage-it/conc-b";

  @BeforeAll
  static void setUp() {
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    Docker.removeRepository(SHARED);
    Docker.removeRepository(A);
    Docker.removeRepository(B);
  }

  @AfterAll
  static void tearDown() {
    Docker.removeRepository(SHARED);
    Docker.removeRepository(A);
    Docker.removeRepository(B);
  }

  @Test
  void fourTestJvmsAndTwoModulesAtOnce() throws Exception {
    MavenSample sample = JunitSamples.copy("concurrency");
    MavenSample.Run run = sample.run("-T", "2", "verify").assertSuccess();
    System.out.println("FIGURE ConcurrencyIT Maven run: " + run.took().toMillis() + " ms");

    // all four JVMs were there before any asked
    assertThat(run.linesContaining("barrier: 4 of 4 arrived")).hasSize(4);
    // exactly one build of the shared image; the three others found it after the lock
    assertThat(JunitSamples.extensionLines(run, SHARED + ": building (")).hasSize(1);
    assertThat(JunitSamples.extensionLines(run, SHARED + ": built ")).hasSize(1);
    assertThat(JunitSamples.extensionLines(run, SHARED + ": up to date (")).hasSize(3);
    System.out.println(
        "FIGURE ConcurrencyIT JVMs that waited for the lock: "
            + JunitSamples.extensionLines(run, "waiting for another process").size());
    assertThat(run.linesContaining("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0"))
        .hasSizeGreaterThanOrEqualTo(2);

    BuildRecord shared =
        new RecordStore(sample.file("shared/records"), SHARED).record().orElseThrow();
    assertThat(Docker.imageId(shared.contentTag())).contains(shared.imageId());

    // two modules, two images, built side by side: each once, each record its own image
    assertThat(JunitSamples.pluginLines(run, A + ": built ")).hasSize(1);
    assertThat(JunitSamples.pluginLines(run, B + ": built ")).hasSize(1);
    BuildRecord a =
        new RecordStore(sample.file("tests-a/target/cached-image"), A).record().orElseThrow();
    BuildRecord b =
        new RecordStore(sample.file("tests-b/target/cached-image"), B).record().orElseThrow();
    assertThat(Docker.imageId(a.contentTag())).contains(a.imageId());
    assertThat(Docker.imageId(b.contentTag())).contains(b.imageId());
    assertThat(List.of(a.imageId(), b.imageId(), shared.imageId())).doesNotHaveDuplicates();
    assertThat(Docker.docker("run", "--rm", a.imageId(), "cat", "/module").output().strip())
        .isEqualTo("module-a");
    assertThat(Docker.docker("run", "--rm", b.imageId(), "cat", "/module").output().strip())
        .isEqualTo("module-b");
  }
}
