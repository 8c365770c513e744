package io.github.cachedimage.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.record.DataBinding;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildSpecTest {
  private static final Path CONTEXT = Path.of("/work/greeter").toAbsolutePath();

  @Test
  void defaultsAndCopies() {
    Map<String, String> args = new HashMap<>(Map.of("B", "2", "A", "1"));
    BuildSpec spec = BuildSpec.builder("greeter", CONTEXT).buildArgs(args).build();
    args.put("C", "3");
    assertThat(spec.dockerfile()).isEqualTo(CONTEXT.resolve("Dockerfile"));
    assertThat(spec.buildArgs()).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
    assertThat(spec.usesDefaultCache()).isTrue();
    assertThat(spec.toBuilder().build()).isEqualTo(spec);
  }

  @Test
  void rejectsTagsRelativePathsAndSeveralPlatforms() {
    assertThatThrownBy(() -> BuildSpec.builder("greeter:1.0", CONTEXT).build())
        .hasMessageStartingWith("image 'greeter:1.0' has a tag or digest");
    assertThatThrownBy(() -> BuildSpec.builder(" ", CONTEXT).build())
        .hasMessage("image name is blank; expected a repository name");
    assertThatThrownBy(() -> BuildSpec.builder("Greeter", CONTEXT).build())
        .hasMessageContaining("is not a valid repository name");
    assertThatThrownBy(() -> BuildSpec.builder("greeter", Path.of("rel")).build())
        .hasMessage("contextDirectory must be an absolute path: rel");
    assertThatThrownBy(
            () -> BuildSpec.builder("greeter", CONTEXT).platform("linux/amd64,linux/arm64").build())
        .hasMessageStartingWith("platform 'linux/amd64,linux/arm64' names several platforms");
    assertThat(BuildSpec.builder("localhost:5000/team/greeter", CONTEXT).build().image())
        .isEqualTo("localhost:5000/team/greeter");
  }

  @Test
  void roundTripsThroughTheRecordJson() throws Exception {
    BuildSpec spec =
        BuildSpec.builder("greeter", CONTEXT)
            .buildArg("JAR", "target/greeter.jar")
            .label("org.opencontainers.image.title", "greeter")
            .secret(SecretSpec.parse("id=npmrc,src=/home/me/.npmrc"))
            .cacheFrom(CacheSpec.parseImport("type=registry,ref=localhost:5000/greeter:cache"))
            .cacheTo(
                CacheSpec.parseExport("type=registry,ref=localhost:5000/greeter:cache,mode=max"))
            .target("runtime")
            .build();
    String json = DataBinding.JSON.writeValueAsString(spec);
    assertThat(DataBinding.JSON.readValue(json, BuildSpec.class)).isEqualTo(spec);
  }
}
