package io.github.cachedimage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.engine.BuildProgress;
import io.github.cachedimage.core.spec.CacheSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheFailuresTest {
  private static final CacheSpec REGISTRY_FROM = CacheSpec.parseImport("type=registry,ref=r:5/x:c");
  private static final CacheSpec REGISTRY_TO =
      CacheSpec.parseExport("type=registry,ref=r:5/x:c,mode=max,ignore-error=true");
  private static final CacheSpec GHA_TO =
      CacheSpec.parseExport("type=gha,scope=x,token=secret-token-value,ignore-error=true");

  @Test
  void anImportAndAnExportOfOneRegistryAreOneWarning() {
    CacheFailures failures =
        new CacheFailures(List.of(REGISTRY_FROM), List.of(REGISTRY_TO, GHA_TO));
    failures.add(
        new BuildProgress.CacheFailure(
            false, "importing cache manifest from r:5/x:c", "connection refused"));
    failures.add(
        new BuildProgress.CacheFailure(
            true, "exporting cache to registry", "error writing layer blob: connection refused"));

    assertThat(failures.warnings())
        .containsExactly(
            "cache type=registry,ref=r:5/x:c failed: import: connection refused; export: error"
                + " writing layer blob: connection refused; built without it, the cache was not"
                + " updated");
    assertThat(failures.imported(List.of(REGISTRY_FROM))).isEmpty();
    assertThat(failures.exported(List.of(REGISTRY_TO, GHA_TO))).containsExactly(GHA_TO);
  }

  @Test
  void aGhaExportIsNamedWithoutItsTokenAndSignedUrlsAreMasked() {
    CacheFailures failures = new CacheFailures(List.of(), List.of(REGISTRY_TO, GHA_TO));
    failures.add(
        new BuildProgress.CacheFailure(
            true,
            "exporting to GitHub Actions Cache",
            "PUT http://127.0.0.1:1/blob/3?sig=abcdef0123456789&sp=cw: connection reset"));

    assertThat(failures.warnings())
        .singleElement()
        .asString()
        .startsWith("cache export to type=gha,scope=x failed: ")
        .doesNotContain("secret-token-value")
        .doesNotContain("abcdef0123456789");
    assertThat(failures.exportFailed(GHA_TO)).isTrue();
    assertThat(failures.exportFailed(REGISTRY_TO)).isFalse();
  }

  @Test
  void aVertexThatNamesNoConfiguredCacheIsToldByItsName() {
    CacheFailures failures =
        new CacheFailures(
            List.of(), List.of(REGISTRY_TO, CacheSpec.parseExport("type=registry,ref=o:1/y:c")));
    failures.add(new BuildProgress.CacheFailure(true, "exporting cache to registry", "boom"));

    assertThat(failures.warnings())
        .containsExactly(
            "cache export to (exporting cache to registry) failed: boom; the image is built, the"
                + " cache was not updated");
  }

  @Test
  void aLocalCacheMissingBlobsIsFoundAndACompleteOneIsNot(@TempDir Path dir) throws Exception {
    Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
    String manifest = "a".repeat(64);
    String config = "b".repeat(64);
    String layer = "c".repeat(64);
    Files.writeString(
        dir.resolve("index.json"), "{\"manifests\":[{\"digest\":\"sha256:" + manifest + "\"}]}");
    Files.writeString(
        blobs.resolve(manifest),
        "{\"config\":{\"digest\":\"sha256:"
            + config
            + "\"},\"layers\":[{\"digest\":\"sha256:"
            + layer
            + "\"}]}");
    Files.writeString(blobs.resolve(config), "{}");
    Files.writeString(blobs.resolve(layer), "tar");
    assertThat(LocalCacheBlobs.problem(dir)).isEmpty();
    assertThat(LocalCacheBlobs.problem(dir.resolve("none"))).as("no cache yet").isEmpty();

    Files.delete(blobs.resolve(layer));
    assertThat(LocalCacheBlobs.problem(dir))
        .hasValue(
            "1 of 3 blobs its index names are missing from "
                + dir.resolve("blobs")
                + " (deleted or evicted)");
  }
}
