package io.github.cachedimage.core.gha;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.spec.CacheSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GhaStepSummaryTest {

  @Test
  void describesCachesByTypeScopeAndDirection() {
    String described =
        GhaStepSummary.describeCaches(
            List.of(
                CacheSpec.parse("type=gha,scope=greeter,token=secret"),
                CacheSpec.parse("type=registry,ref=ghcr.io/o/greeter:cache")),
            List.of(CacheSpec.parse("type=gha,scope=greeter,mode=max,token=secret")));
    assertThat(described)
        .isEqualTo("gha scope=greeter (from, to), registry ref=ghcr.io/o/greeter:cache (from)");
  }

  @Test
  void appendsOneWellFormedTablePerImage(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("summary.md");
    Files.writeString(file, "# Earlier step\n");
    Map<String, String> env = Map.of("GITHUB_STEP_SUMMARY", file.toString());
    GhaStepSummary.append(
        env,
        new GhaStepSummary.Row(
            "greeter", true, 7, 8, Duration.ofMillis(2140), "gha scope=greeter (from, to)", null));
    GhaStepSummary.append(
        env,
        new GhaStepSummary.Row(
            "worker",
            false,
            0,
            0,
            Duration.ofMillis(41),
            "",
            "gha off: ACTIONS_RUNTIME_TOKEN is not set"));
    assertThat(Files.readString(file))
        .isEqualTo(
            "# Earlier step\n"
                + "\n| image | result | steps cached | time | cache |\n|---|---|---|---|---|\n"
                + "| `greeter` | built | 7 of 8 | 2.1 s | gha scope=greeter (from, to) |\n"
                + "\n| image | result | steps cached | time | cache |\n|---|---|---|---|---|\n"
                + "| `worker` | up to date | no build (inputs unchanged) | 41 ms | none; gha off:"
                + " ACTIONS_RUNTIME_TOKEN is not set |\n");
  }

  @Test
  void withoutTheVariableNothingIsWritten() {
    assertThat(
            GhaStepSummary.append(
                Map.of(), new GhaStepSummary.Row("a", true, 1, 1, Duration.ZERO, "", null)))
        .isEmpty();
  }

  @Test
  void cellsAreEscapedAndRedacted() {
    String md =
        GhaStepSummary.markdown(
            new GhaStepSummary.Row("a", true, 1, 2, Duration.ofSeconds(3), "x|y token=abc", null));
    assertThat(md).contains("| x\\|y token=*** |").doesNotContain("abc");
  }
}
