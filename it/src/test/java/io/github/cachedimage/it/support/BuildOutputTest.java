package io.github.cachedimage.it.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.it.support.BuildOutput.Status;
import org.junit.jupiter.api.Test;

class BuildOutputTest {

  private static final String SLOW = "RUN sleep 3 ";
  private static final String HEADER =
      "#0 building with \"default\" instance using docker driver\n\n"
          + "#6 [1/3] FROM docker.io/cachedimage-local/busybox:1\n"
          + "#6 DONE 0.0s\n\n"
          + "#7 [2/3] COPY nonce.txt /nonce.txt\n";

  @Test
  void cachedStep() {
    String out =
        HEADER
            + "#7 CACHED\n\n#8 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob\n#8 CACHED\n";
    assertThat(BuildOutput.status(out, SLOW)).isEqualTo(Status.CACHED);
    assertThat(BuildOutput.stepFromCache(out, SLOW)).isTrue();
  }

  @Test
  void stepLoadedLazilyWhileTheExporterUnpacks() {
    String out =
        HEADER
            + """
            #7 CACHED

            #8 exporting to image
            #8 unpacking to docker.io/cachedimage-it-gha/roundtrip:fp-e218b3c184a1
            #8 ...

            #9 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
            #9 sha256:697f57239781ab1f5ef501fccce9a909207ea68fffd9b915872b08dfdec4e383 132B / 132B done
            #9 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 1.05MB / 3.00MB 0.1s
            #9 ...

            #8 exporting to image
            #8 ...

            #9 [3/3] RUN sleep 3 && head -c 3000000 /dev/urandom > /blob
            #9 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 3.00MB / 3.00MB 0.2s done
            #9 extracting sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b 0.1s done
            #9 DONE 0.3s
            """;
    assertThat(BuildOutput.status(out, SLOW)).isEqualTo(Status.LOADED);
    assertThat(BuildOutput.stepFromCache(out, SLOW)).isTrue();
    assertThat(BuildOutput.stepFromCache(out, "COPY nonce.txt")).isTrue();
  }

  @Test
  void executedStepsAreNotFromTheCache() {
    String withOutput =
        HEADER + "#7 DONE 0.0s\n\n#8 [3/3] RUN sleep 3 && echo hi\n#8 3.011 hi\n#8 DONE 3.1s\n";
    String silent = HEADER + "#7 DONE 0.0s\n\n#8 [3/3] RUN sleep 3 && true\n#8 DONE 3.1s\n";
    String blobsAndOutput =
        HEADER
            + "#7 DONE 0.0s\n\n#8 [3/3] RUN sleep 3 && echo hi\n"
            + "#8 sha256:5b5f12f0dbf9bda5d331a8e715715dbb7e8f5f27a694e3b9b2357cd0e586a76b"
            + " 3.00MB / 3.00MB 0.1s done\n#8 3.011 hi\n#8 DONE 3.1s\n";
    for (String out : new String[] {withOutput, silent, blobsAndOutput}) {
      assertThat(BuildOutput.status(out, SLOW)).as(out).isEqualTo(Status.RAN);
      assertThat(BuildOutput.stepFromCache(out, "COPY nonce.txt")).as(out).isFalse();
    }
  }

  @Test
  void aFromStepPullingBlobsIsNotFromTheCache() {
    String out =
        """
        #5 [1/2] FROM docker.io/library/alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d
        #5 sha256:43c4264eed91be63b206e17d93e75256a6097070ce643c5e8f0379998b44f170 3.62MB / 3.62MB 0.4s done
        #5 extracting sha256:43c4264eed91be63b206e17d93e75256a6097070ce643c5e8f0379998b44f170 0.1s done
        #5 DONE 0.6s
        """;
    assertThat(BuildOutput.stepFromCache(out, "FROM docker.io/library/alpine")).isFalse();
  }

  @Test
  void failedOrUnfinishedStepsAreNotFromTheCache() {
    String failed =
        HEADER + "#7 CACHED\n\n#8 [3/3] RUN sleep 3 && exit 3\n#8 ERROR: exit code: 3\n";
    assertThat(BuildOutput.status(failed, SLOW)).isEqualTo(Status.UNFINISHED);
  }

  @Test
  void readsMavenLogsAndTheLastBuildThatHasTheStep() {
    String log =
        "[INFO] #0 building with \"default\" instance using docker driver\n"
            + "[INFO] #8 [3/3] RUN sleep 5 && head -c 25000000 /dev/urandom > /blob\n"
            + "[INFO] #8 DONE 5.3s\n"
            + "[INFO] app: built sha256:1a2b in 6 s\n"
            + "[INFO] #0 building with \"default\" instance using docker driver\n"
            + "[INFO] #8 [3/3] RUN sleep 5 && head -c 25000000 /dev/urandom > /blob\n"
            + "[INFO] #8 CACHED\n";
    assertThat(BuildOutput.status(log, "sleep 5")).isEqualTo(Status.CACHED);
    assertThat(BuildOutput.status(log.substring(0, log.indexOf("[INFO] app:")), "sleep 5"))
        .isEqualTo(Status.RAN);
  }

  @Test
  void aMissingStepFailsShowingTheOutput() {
    assertThatThrownBy(() -> BuildOutput.stepFromCache(HEADER, SLOW))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no step containing 'RUN sleep 3 '")
        .hasMessageContaining("#7 [2/3] COPY nonce.txt");
  }
}
