package io.github.cachedimage.core.gha;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GhaSupportTest {

  static final String TOKEN = GhaPreflightTest.TOKEN;

  final List<String> lines = new ArrayList<>();
  final BuildLog log =
      new BuildLog() {
        @Override
        public void info(String message) {
          lines.add("INFO " + message);
        }

        @Override
        public void warn(String message) {
          lines.add("WARN " + message);
        }

        @Override
        public void debug(String message) {
          lines.add("DEBUG " + message);
        }
      };

  @TempDir Path dir;

  BuildSpec spec(String from) {
    return BuildSpec.builder("team/app", dir)
        .cacheFrom(CacheSpec.parse(from))
        .cacheTo(CacheSpec.parse("type=gha"))
        .build();
  }

  @Test
  void prepareLogsTheWarningAndDropsGhaWhenTheTokenIsMissing() {
    Map<String, String> env = GhaPreflightTest.runner();
    env.remove("ACTIONS_RUNTIME_TOKEN");
    GhaSupport gha = new GhaSupport(env, false);
    GhaPlan plan =
        gha.prepare(spec("type=gha"), new Buildx.Info("0.29.1", "default", "docker", true), log);
    assertThat(plan.cacheFrom()).isEmpty();
    assertThat(lines)
        .filteredOn(l -> l.startsWith("WARN "))
        .singleElement()
        .asString()
        .startsWith("WARN team/app: the type=gha cache")
        .contains("ACTIONS_RUNTIME_TOKEN is not set (and the spec has no token attribute). Fix:");
  }

  @Test
  void theRecordedSpecHasNoTokenAttributes() {
    BuildSpec spec = spec("type=gha,token=" + TOKEN + ",scope=x");
    BuildSpec recorded = GhaSupport.forRecord(spec);
    assertThat(recorded.cacheFrom()).containsExactly(CacheSpec.parse("type=gha,scope=x"));
    assertThat(recorded.cacheTo()).isEqualTo(spec.cacheTo());
    BuildSpec clean = spec("type=gha");
    assertThat(GhaSupport.forRecord(clean)).isSameAs(clean);
  }

  @Test
  void linesAreRedactedWithTheRunnersToken() {
    GhaSupport gha = new GhaSupport(GhaPreflightTest.runner(), false);
    assertThat(gha.redact("#6 ERROR: bad token " + TOKEN)).isEqualTo("#6 ERROR: bad token ***");
  }

  @Test
  void summarizesBuiltAndUpToDateImagesWithTheGhaReason() throws Exception {
    Path file = dir.resolve("summary.md");
    Map<String, String> env = new HashMap<>(GhaPreflightTest.runner());
    env.remove("ACTIONS_RUNTIME_TOKEN");
    env.put("GITHUB_STEP_SUMMARY", file.toString());
    GhaSupport gha = new GhaSupport(env, false);
    BuildSpec spec = spec("type=gha");
    GhaPlan plan = gha.prepare(spec, new Buildx.Info("0.29.1", "default", "docker", true), log);
    gha.used(plan.cacheFrom(), plan.cacheTo());
    BuildRecord record =
        new BuildRecord(
            "team/app",
            spec,
            "f".repeat(64),
            "sha256:" + "a".repeat(64),
            null,
            List.of(),
            "team/app:fp-ffffffffffff",
            Instant.now(),
            1200,
            new BuildRecord.CacheSummary(3, 1, List.of()),
            Map.of(),
            Map.of(),
            BuildRecord.FORMAT_VERSION);
    gha.summarize(record, true, Duration.ofMillis(1500), log);
    assertThat(Files.readString(file))
        .contains(
            "| `team/app` | built | 1 of 3 | 1.5 s | none; gha off: ACTIONS_RUNTIME_TOKEN is not set |");
  }
}
