package io.github.cachedimage.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against real {@code --progress=plain} output of buildx 0.29 (test resources). */
class BuildProgressTest {

  private static List<String> feed(BuildProgress progress, String resource) throws IOException {
    List<String> warnings = new ArrayList<>();
    try (InputStream in = BuildProgressTest.class.getResourceAsStream("/buildx/" + resource)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String w = progress.accept(line);
        if (w != null) {
          warnings.add(w);
        }
      }
    }
    return warnings;
  }

  @Test
  void countsStepsAndCacheHits() throws IOException {
    BuildProgress progress = new BuildProgress();
    List<String> warnings = feed(progress, "cached-build.txt");
    assertThat(progress.steps()).isEqualTo(4);
    assertThat(progress.cachedSteps()).isEqualTo(1);
    assertThat(progress.failedStep()).isNull();
    assertThat(warnings).isEmpty();
  }

  @Test
  void namesTheFailingStepItsOutputAndTurnsImportFailuresIntoWarnings() throws IOException {
    BuildProgress progress = new BuildProgress();
    List<String> warnings = feed(progress, "failed-step.txt");
    assertThat(progress.failedStep())
        .isEqualTo("[3/3] RUN echo boom && echo second line && exit 3");
    assertThat(progress.error())
        .isEqualTo(
            "process \"/bin/sh -c echo boom && echo second line && exit 3\" did not complete"
                + " successfully: exit code: 3");
    assertThat(progress.failureOutput()).containsExactly("boom", "second line");
    assertThat(warnings)
        .hasSize(2)
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        "cache import failed (importing cache manifest from 127.0.0.1:5999/x:cache)")
                    .endsWith("connection refused; building without it"))
        .anySatisfy(w -> assertThat(w).startsWith("local cache import at /nonexistent not found"));
  }

  @Test
  void exportFailuresAreCollectedSeparately() {
    BuildProgress progress = new BuildProgress();
    progress.accept("#12 exporting cache to registry");
    progress.accept("#12 preparing build cache for export");
    String w =
        progress.accept("#12 ERROR: failed to push localhost:5000/x:cache: connection refused");
    assertThat(w)
        .isEqualTo(
            "cache export failed (exporting cache to registry): failed to push localhost:5000/x:cache: connection refused");
    assertThat(progress.exportErrors()).containsExactly(w);
    assertThat(progress.failedStep()).isNull();
  }
}
