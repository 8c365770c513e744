package io.github.cachedimage.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.spec.BuildSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildOrderTest {
  @TempDir Path dir;

  BuildOrder.Step step(String module, String image, String dockerfile) throws IOException {
    Path context = Files.createDirectories(dir.resolve(module + "-" + image.replace('/', '_')));
    Files.writeString(context.resolve("Dockerfile"), dockerfile);
    return new BuildOrder.Step(module, image, BuildSpec.builder(image, context).build());
  }

  @Test
  void upstreamFirstWorks() throws IOException {
    List<BuildOrder.Step> steps =
        List.of(
            step("m", "base", "FROM busybox\n"),
            step("m", "app", "FROM base:latest\n"),
            step("n", "other", "FROM app\n"));
    for (int i = 0; i < steps.size(); i++) {
      int current = i;
      assertThatCode(() -> BuildOrder.check(steps, current)).doesNotThrowAnyException();
    }
  }

  @Test
  void aBaseBuiltLaterInTheModuleOrInALaterModuleIsNamed() throws IOException {
    List<BuildOrder.Step> sameModule =
        List.of(step("m", "app", "FROM base\n"), step("m", "base", "FROM busybox\n"));
    assertThatThrownBy(() -> BuildOrder.check(sameModule, 0))
        .isInstanceOf(CachedImageException.class)
        .hasMessage(
            "app: its Dockerfile builds on base, which execution 'base' of module m builds after"
                + " execution 'app' of module m. Fix: put execution 'base' before 'app' in the POM"
                + " (executions bound to one phase run in POM order)");
    List<BuildOrder.Step> modules =
        List.of(step("it", "app", "FROM base\n"), step("svc", "base", "FROM busybox\n"));
    assertThatThrownBy(() -> BuildOrder.check(modules, 0))
        .hasMessageEndingWith(
            "Fix: make module it depend on module svc, so that Maven builds it first");
    // a tag other than latest is not what the other build makes
    List<BuildOrder.Step> tagged =
        List.of(step("m", "app", "FROM base:1\n"), step("m", "base", "FROM busybox\n"));
    assertThatCode(() -> BuildOrder.check(tagged, 0)).doesNotThrowAnyException();
  }

  @Test
  void aCycleIsNamedWhicheverStepRunsFirst() throws IOException {
    List<BuildOrder.Step> steps =
        List.of(step("m", "a", "FROM b\n"), step("m", "b", "FROM c\n"), step("m", "c", "FROM a\n"));
    assertThatThrownBy(() -> BuildOrder.check(steps, 0))
        .hasMessageStartingWith(
            "images build on each other in a cycle: a (execution 'a' of module m) -> b (execution"
                + " 'b' of module m) -> c (execution 'c' of module m) -> a.");
  }
}
