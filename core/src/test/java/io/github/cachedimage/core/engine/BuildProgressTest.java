package io.github.cachedimage.core.engine;

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
    // buildx's own warning at once; the failed import vertex for the caller to tell per cache
    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith("local cache import at /nonexistent not found");
    assertThat(progress.cacheFailures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.export()).isFalse();
              assertThat(f.vertex())
                  .isEqualTo("importing cache manifest from 127.0.0.1:5999/x:cache");
              assertThat(f.error()).endsWith("connection refused");
            });
  }

  @Test
  void exportFailuresAreCollectedSeparately() {
    BuildProgress progress = new BuildProgress();
    progress.accept("#12 exporting cache to registry");
    progress.accept("#12 preparing build cache for export");
    String w =
        progress.accept("#12 ERROR: failed to push localhost:5000/x:cache: connection refused");
    assertThat(w).as("told per cache after the build, not now").isNull();
    assertThat(progress.exportErrors())
        .containsExactly(
            "cache export failed (exporting cache to registry): failed to push localhost:5000/x:cache: connection refused");
    assertThat(progress.cacheFailures())
        .containsExactly(
            new BuildProgress.CacheFailure(
                true,
                "exporting cache to registry",
                "failed to push localhost:5000/x:cache: connection refused"));
    assertThat(progress.failedStep()).isNull();
  }

  // --- which steps count as cached -------------------------------------------------------------

  private static BuildProgress progress(String output) {
    BuildProgress progress = new BuildProgress();
    output.lines().forEach(progress::accept);
    return progress;
  }

  private static final String HEAD =
      """
      #0 building with "default" instance using docker driver

      #1 [internal] load build definition from Dockerfile
      #1 transferring dockerfile: 178B done
      #1 DONE 0.0s

      #2 [internal] load metadata for docker.io/cachedimage-local/busybox:1
      #2 DONE 0.0s

      #3 [internal] load .dockerignore
      #3 transferring context: 2B done
      #3 DONE 0.0s

      #4 importing cache manifest from gha:7715021286539871234
      #4 DONE 0.1s

      #5 [internal] load build context
      #5 transferring context: 75B done
      #5 DONE 0.0s

      #6 [1/3] FROM docker.io/cachedimage-local/busybox:1@sha256:f2dac55db7becf8a67d56031c11a03f2cd804759d95cdd76ad93aa4fc94a88f7
      #6 resolve docker.io/cachedimage-local/busybox:1@sha256:f2dac55db7becf8a67d56031c11a03f2cd804759d95cdd76ad93aa4fc94a88f7 0.0s done
      #6 DONE 0.0s

      #7 [2/3] COPY nonce.txt /nonce.txt
      #7 CACHED

      """;

  private static final String EXPORT =
      """

      #10 exporting to image
      #10 exporting layers done
      #10 naming to docker.io/cachedimage-it-gha/roundtrip:fp-e218b3c184a1 done
      #10 unpacking to docker.io/cachedimage-it-gha/roundtrip:fp-e218b3c184a1 0.1s done
      #10 DONE 0.2s
      """;

  @Test
  void aStepReportedCachedCounts() {
    BuildProgress progress =
        progress(
            HEAD
                + """
                #8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #8 CACHED
                """
                + EXPORT);
    assertThat(progress.steps()).isEqualTo(3);
    assertThat(progress.cachedSteps()).isEqualTo(2);
  }

  @Test
  void aStepFirstSeenLoadingItsBlobsWhileTheExporterUnpacksCounts() {
    // Docker 28.5 (docker driver, containerd store) under load, remote cache: no "#9 CACHED"
    BuildProgress progress =
        progress(
            HEAD
                + """
                #8 exporting to image
                #8 exporting layers done
                #8 exporting manifest sha256:0b7c0a8e2f5b5b7b4a5e8f3fbb7a0b6ed2d5c7c1e2a3b4c5d6e7f8091a2b3c4d done
                #8 exporting config sha256:1c8d1b9f3a6c6c8c5b6f9a4acc8b1c7fe3e6d8d2f3b4c5d6e7f8091a2b3c4d5e done
                #8 naming to docker.io/cachedimage-it-gha/roundtrip:fp-e218b3c184a1 done
                #8 unpacking to docker.io/cachedimage-it-gha/roundtrip:fp-e218b3c184a1
                #8 ...

                #9 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #9 sha256:697f57239781ab1f5ef501fccce9a909207ea68fffd9b915872b08dfdec4e383 132B / 132B done
                #9 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 3.00MB / 3.00MB 0.1s done
                #9 DONE 0.1s

                #8 exporting to image
                #8 unpacking to docker.io/cachedimage-it-gha/roundtrip:fp-e218b3c184a1 0.3s done
                #8 DONE 0.5s
                """);
    assertThat(progress.steps()).isEqualTo(3);
    assertThat(progress.cachedSteps()).isEqualTo(2);
  }

  @Test
  void aLazyStepInterleavedWithPartialTransfersAndExtractionCounts() {
    BuildProgress progress =
        progress(
            HEAD
                + """
                #8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #8 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 0B / 3.00MB 0.2s
                #8 ...

                #9 exporting to image
                #9 exporting layers done
                #9 ...

                #8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #8 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 1.05MB / 3.00MB 0.4s
                #8 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 3.00MB / 3.00MB 0.6s done
                #8 extracting sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b
                #8 extracting sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 0.1s done
                #8 DONE 0.7s

                #9 exporting to image
                #9 unpacking to docker.io/cachedimage-it/x:fp-0123456789ab 0.2s done
                #9 DONE 0.9s
                """);
    assertThat(progress.cachedSteps()).isEqualTo(2);
  }

  @Test
  void anExecutedRunWithOutputDoesNotCount() {
    BuildProgress progress =
        progress(
            HEAD
                + """
                #8 [3/3] RUN sleep 3 && echo slept && head -c 3000000 /dev/urandom > /blob
                #8 3.013 slept
                #8 DONE 3.2s
                """
                + EXPORT);
    assertThat(progress.cachedSteps()).isEqualTo(1);
  }

  @Test
  void anExecutedRunWithoutOutputDoesNotCount() {
    BuildProgress progress =
        progress(
            HEAD
                + """
                #8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #8 DONE 3.2s
                """
                + EXPORT);
    assertThat(progress.cachedSteps()).isEqualTo(1);
  }

  @Test
  void anExecutedRunInterleavedWithOtherVerticesDoesNotCount() {
    BuildProgress progress =
        progress(
            HEAD.replace("#7 CACHED", "#7 DONE 0.0s")
                + """
                #8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #8 0.105 starting
                #8 ...

                #4 importing cache manifest from gha:7715021286539871234
                #4 ...

                #8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #8 DONE 3.1s
                """
                + EXPORT);
    assertThat(progress.cachedSteps()).isZero();
  }

  @Test
  void anExecutedCopyDoesNotCount() {
    BuildProgress progress =
        progress(
            HEAD.replace("#7 CACHED", "#7 DONE 0.0s")
                + """
                #8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
                #8 CACHED
                """
                + EXPORT);
    assertThat(progress.steps()).isEqualTo(3);
    assertThat(progress.cachedSteps()).isEqualTo(1);
  }

  @Test
  void aFromStepPullingBlobsDoesNotCount() {
    BuildProgress progress =
        progress(
            """
            #5 [build 1/2] FROM docker.io/library/alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d
            #5 sha256:43c4264eed91be63b206e17d93e75256a6097070ce643c5e8f0379998b44f170 0B / 3.62MB 0.2s
            #5 sha256:43c4264eed91be63b206e17d93e75256a6097070ce643c5e8f0379998b44f170 3.62MB / 3.62MB 0.4s done
            #5 extracting sha256:43c4264eed91be63b206e17d93e75256a6097070ce643c5e8f0379998b44f170 0.1s done
            #5 DONE 0.6s

            #6 [build 2/2] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
            #6 DONE 3.2s
            """);
    assertThat(progress.steps()).isEqualTo(2);
    assertThat(progress.cachedSteps()).isZero();
  }

  @Test
  void blobsWithoutDoneOrMixedWithOtherLinesDoNotCount() {
    BuildProgress progress =
        progress(
            """
            #8 [2/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
            #8 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 1.05MB / 3.00MB 0.4s
            #8 CANCELED

            #9 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob2
            #9 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 3.00MB / 3.00MB 0.1s done
            #9 0.210 out
            #9 DONE 3.1s
            """);
    assertThat(progress.steps()).isEqualTo(2);
    assertThat(progress.cachedSteps()).isZero();
  }

  @Test
  void theLinesACacheImportWarningSaysAreMarkedSo() {
    BuildProgress progress = new BuildProgress();
    String[] lines = {
      "#5 importing cache manifest from 127.0.0.1:5000/x:cache",
      "#5 ERROR: failed to configure registry cache importer: 127.0.0.1:5000/x:cache: not found",
      "#6 [2/2] RUN echo hi",
      "------",
      " > importing cache manifest from 127.0.0.1:5000/x:cache:",
      "------",
      "WARNING: local cache import at /c not found due to err: could not read /c/index.json",
      "WARNING: cache export failed: boom"
    };
    boolean[] said = new boolean[lines.length];
    for (int i = 0; i < lines.length; i++) {
      progress.accept(lines[i]);
      said[i] = progress.saidByWarning();
    }
    assertThat(said).containsExactly(false, true, false, false, true, false, true, false);
  }
}
