package io.github.cachedimage.core.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BaseImagesTest {

  static java.util.List<String> bases(String dockerfile) {
    return BaseImages.of(dockerfile, Map.of(), null);
  }

  @Test
  void aPlainFrom() {
    assertThat(bases("FROM cachedimage-local/jre:17\nCOPY app.jar /\n"))
        .containsExactly("cachedimage-local/jre:17");
    assertThat(bases("from  Alpine:3.20  \n")).containsExactly("Alpine:3.20");
  }

  @Test
  void scratchIsNoImage() {
    assertThat(bases("FROM scratch\nCOPY a /\n")).isEmpty();
    assertThat(bases("FROM SCRATCH AS x\n")).isEmpty();
  }

  @Test
  void digestsAndRegistriesAreKeptAsWritten() {
    String ref = "localhost:5000/team/base@sha256:" + "a".repeat(64);
    assertThat(bases("FROM " + ref + "\n")).containsExactly(ref);
  }

  @Test
  void argDefaultsAndBuildArgOverridesInFrom() {
    String dockerfile =
        "ARG BASE=cachedimage-local/busybox\nARG TAG=1\nFROM ${BASE}:$TAG\nRUN true\n";
    assertThat(bases(dockerfile)).containsExactly("cachedimage-local/busybox:1");
    assertThat(BaseImages.of(dockerfile, Map.of("TAG", "2"), null))
        .containsExactly("cachedimage-local/busybox:2");
    // only declared ARGs substitute; ${X:-default} and ${X:+alt} work as in the shell
    assertThat(bases("ARG V\nFROM base:${V:-latest}\n")).containsExactly("base:latest");
    assertThat(BaseImages.of("ARG V\nFROM base${V:+-$V}\n", Map.of("V", "x"), null))
        .containsExactly("base-x");
    assertThat(BaseImages.of("FROM base:$UNDECLARED\n", Map.of("UNDECLARED", "x"), null))
        .containsExactly("base:");
  }

  @Test
  void platformFlagsAreNotTheImage() {
    assertThat(bases("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM build\n"))
        .containsExactly("golang:1.22");
  }

  @Test
  void stageNamesAndIndexesAreNotImages() {
    String dockerfile =
        """
        FROM cachedimage-local/jre:17 AS Runtime
        FROM maven:3 AS build
        RUN mvn package
        FROM runtime
        COPY --from=build /app.jar /
        COPY --from=1 /other /
        COPY --from=tools:1 /bin/tool /bin/
        RUN --mount=type=cache,target=/root/.m2,from=cachedimage-local/m2:1 true
        RUN --mount=from=build,source=/x,target=/y true
        """;
    assertThat(bases(dockerfile))
        .containsExactly(
            "cachedimage-local/jre:17", "maven:3", "tools:1", "cachedimage-local/m2:1");
  }

  @Test
  void onlyTheTargetAndTheStagesItNeedsCount() {
    String dockerfile =
        """
        FROM a:1 AS one
        FROM b:1 AS two
        FROM c:1 AS three
        COPY --from=one / /
        FROM d:1 AS test
        """;
    assertThat(BaseImages.of(dockerfile, Map.of(), "three")).containsExactly("c:1", "a:1");
    assertThat(BaseImages.of(dockerfile, Map.of(), null)).containsExactly("d:1");
    assertThat(BaseImages.of(dockerfile, Map.of(), "TWO")).containsExactly("b:1");
  }

  @Test
  void stageArgsSubstituteInCopyFrom() {
    String dockerfile =
        """
        ARG TOOLS=tools:1
        FROM app:1
        ARG TOOLS
        ARG OTHER=other:2
        COPY --from=$TOOLS /t /t
        COPY --from=${OTHER} /o /o
        """;
    assertThat(bases(dockerfile)).containsExactly("app:1", "tools:1", "other:2");
    assertThat(BaseImages.of(dockerfile, Map.of("OTHER", "other:3"), null))
        .containsExactly("app:1", "tools:1", "other:3");
  }

  @Test
  void continuationsCommentsAndDirectives() {
    assertThat(bases("FROM \\\n  base:1 \\\n  AS b\nFROM b\n")).containsExactly("base:1");
    assertThat(bases("# syntax=docker/dockerfile:1\n# escape=`\nFROM `\n  base:2\n"))
        .containsExactly("base:2");
    assertThat(bases("# a comment\nFROM base:3\n# FROM not:this\nRUN echo \\\n# comment\n  hi\n"))
        .containsExactly("base:3");
    // after the first comment or instruction, "# escape=" is a comment
    assertThat(bases("FROM base:4\n# escape=`\nRUN a \\\n  b\n")).containsExactly("base:4");
  }

  @Test
  void hereDocumentBodiesAreNotInstructions() {
    String dockerfile =
        """
        FROM base:5
        RUN <<EOF
        FROM not:an-image
        EOF
        COPY <<-"END" /etc/x
        \tFROM neither:this
        \tEND
        RUN true
        """;
    assertThat(bases(dockerfile)).containsExactly("base:5");
  }

  @Test
  void noFromNoImages() {
    assertThat(bases("")).isEmpty();
    assertThat(bases("# just a comment\n")).isEmpty();
  }

  @Test
  void stageNamesForTheTargetCheckAndImagesCopiedFrom() {
    String dockerfile =
        "FROM busybox AS Build\nRUN true\nFROM build AS runtime\nCOPY --from=biuld /a /a\n"
            + "COPY --from=build /b /b\nCOPY --from=0 /c /c\nCOPY --from=alpine:3 /d /d\n";
    assertThat(BaseImages.stageNames(dockerfile)).containsExactly("build", "runtime");
    assertThat(BaseImages.copiedFromImages(dockerfile, Map.of()))
        .containsExactly("biuld", "alpine:3");
    // another frontend: its stages are unknown here
    assertThat(BaseImages.stageNames("# syntax=example.com/other:1\nFROM busybox AS a\n")).isNull();
    assertThat(BaseImages.stageNames("# syntax=docker/dockerfile:1\nFROM busybox AS a\n"))
        .containsExactly("a");
  }
}
