package io.github.cachedimage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CacheImportMissesTest {
  static final String LOCAL_MISS =
      "local cache import at /c/app not found due to err: could not read /c/app/index.json: open"
          + " /c/app/index.json: no such file or directory";
  static final String REGISTRY_MISS =
      "cache import failed (importing cache manifest from 127.0.0.1:5000/app:cache): failed to"
          + " configure registry cache importer: 127.0.0.1:5000/app:cache: not found; building"
          + " without it";
  static final List<CacheSpec> IMPORTS =
      List.of(
          CacheSpec.parseImport("type=local,src=/c/app"),
          CacheSpec.parseImport("type=registry,ref=127.0.0.1:5000/app:cache"));

  @Test
  void aMissOfACacheNoRecordExportedToIsOneInfoLine() {
    AtomicInteger reads = new AtomicInteger();
    CacheImportMisses misses =
        new CacheImportMisses(
            IMPORTS,
            () -> {
              reads.incrementAndGet();
              return null;
            });
    assertThat(misses.classify(LOCAL_MISS))
        .isEqualTo(
            new CacheImportMisses.Verdict(
                false,
                "cache type=local,src=/c/app has nothing to import yet (no build exported to it);"
                    + " building without it"));
    assertThat(misses.classify(REGISTRY_MISS).warning()).isFalse();
    assertThat(reads).hasValue(1); // the record is read once, on the first miss
  }

  @Test
  void aMissOfACacheThePreviousBuildExportedToStaysAWarning() throws Exception {
    BuildSpec spec =
        BuildSpec.builder("app", Path.of("/ctx"))
            .cacheTo(CacheSpec.parseExport("type=local,dest=/c/app,mode=max"))
            .cacheTo(CacheSpec.parseExport("type=registry,ref=127.0.0.1:5000/app:cache"))
            .build();
    BuildRecord previous =
        new BuildRecord(
            "app",
            spec,
            "a".repeat(64),
            "sha256:" + "b".repeat(64),
            null,
            List.of("app:fp-aaaaaaaaaaaa"),
            "app:fp-aaaaaaaaaaaa",
            Instant.EPOCH,
            1,
            null,
            Map.of(),
            Map.of(),
            BuildRecord.FORMAT_VERSION);
    CacheImportMisses misses = new CacheImportMisses(IMPORTS, () -> previous);
    CacheImportMisses.Verdict local = misses.classify(LOCAL_MISS);
    assertThat(local.warning()).isTrue();
    assertThat(local.message())
        .isEqualTo(
            LOCAL_MISS
                + "; the previous build exported to cache type=local,src=/c/app but it has"
                + " nothing to import now (evicted, deleted, or another cache-to ref?)");
    assertThat(misses.classify(REGISTRY_MISS).warning()).isTrue();
  }

  @Test
  void otherImportFailuresStayWarningsAsTheyAre() {
    CacheImportMisses misses = new CacheImportMisses(IMPORTS, () -> null);
    String refused =
        "cache import failed (importing cache manifest from 127.0.0.1:5000/app:cache): 401"
            + " Unauthorized; building without it";
    assertThat(misses.classify(refused)).isEqualTo(new CacheImportMisses.Verdict(true, refused));
    String elsewhere = "local cache import at /other not found due to err: ...";
    assertThat(misses.classify(elsewhere).warning()).isTrue();
  }
}
