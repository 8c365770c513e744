package io.github.cachedimage.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The mojo as a plain object: parameters to spec, errors naming the POM element, properties. */
class BuildMojoTest {
  @TempDir Path basedir;
  @TempDir Path cacheRoot;
  final Set<String> engine = ConcurrentHashMap.newKeySet();
  final List<Buildx.Invocation> builds = new ArrayList<>();
  BuildMojo mojo;

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(basedir.resolve("Dockerfile"), "FROM scratch\n");
    MavenProject project = new MavenProject();
    project.setFile(basedir.resolve("pom.xml").toFile());
    mojo = new BuildMojo(endpoint -> images(), endpoint -> buildx());
    mojo.project = project;
    mojo.image = "greeter";
    mojo.contextDirectory = basedir.toFile();
    mojo.buildArgs = Map.of("JAR", "target/greeter.jar");
    mojo.cacheFrom = List.of("type=local,src=" + cacheRoot);
    mojo.cacheTo = List.of("type=local,dest=" + cacheRoot + ",mode=max");
  }

  DockerImages images() {
    return new DockerImages() {
      public boolean isReachable() {
        return true;
      }

      public Optional<String> findImage(String ref) {
        return engine.contains(ref) ? Optional.of("sha256:" + "c".repeat(64)) : Optional.empty();
      }
    };
  }

  Buildx buildx() {
    return new Buildx() {
      public Info info(String builder) {
        return new Info("0.29.1", "default", "docker", true);
      }

      public int build(Invocation invocation, Consumer<String> output) {
        builds.add(invocation);
        try {
          Files.writeString(
              invocation.metadataFile(),
              "{\"containerimage.digest\":\"sha256:" + "c".repeat(64) + "\"}");
        } catch (IOException e) {
          throw new AssertionError(e);
        }
        engine.addAll(invocation.tags());
        engine.add("sha256:" + "c".repeat(64));
        return 0;
      }
    };
  }

  @Test
  void buildsRecordsAndSetsTheProjectProperties() throws Exception {
    mojo.execute();
    BuildRecord record =
        new RecordStore(basedir.resolve("target/cached-image"), "greeter").record().orElseThrow();
    assertThat(mojo.project.getProperties())
        .containsEntry("cachedimage.greeter.id", "sha256:" + "c".repeat(64))
        .containsEntry("cachedimage.greeter.tag", record.contentTag());
    assertThat(builds).hasSize(1);
    assertThat(builds.get(0).spec().buildArgs()).containsEntry("JAR", "target/greeter.jar");

    mojo.execute(); // up to date: no second build
    assertThat(builds).hasSize(1);
  }

  @Test
  void skipDoesNothing() throws Exception {
    mojo.skip = true;
    mojo.cacheTo = List.of("type=gah");
    mojo.execute();
    assertThat(builds).isEmpty();
  }

  @Test
  void aBadKeepContentTagsNamesTheElementAndTheFixBeforeAnyBuild() {
    mojo.keepContentTags = "three";
    assertThatThrownBy(mojo::execute)
        .isInstanceOf(MojoExecutionException.class)
        .hasMessage(
            "<keepContentTags>: 'three' is not a number of content tags to keep; use a number of 1"
                + " or more (3 is the default), or all to keep every content tag");
    assertThat(builds).isEmpty();
  }

  @Test
  void errorsNameThePomElement() {
    mojo.cacheTo = List.of("type=gah");
    assertThatThrownBy(mojo::execute)
        .isInstanceOf(MojoExecutionException.class)
        .hasMessage(
            "<cacheTo>: unknown cache type 'gah'; expected one of gha, local, registry, inline, s3, azblob");
    mojo.cacheTo = List.of();
    mojo.cacheFrom = List.of("type=local,dest=/x");
    assertThatThrownBy(mojo::execute)
        .hasMessage("<cacheFrom>: type=local needs src=... but 'type=local,dest=/x' has none");
    mojo.cacheFrom = List.of();
    mojo.dockerfile = basedir.resolve("missing/Dockerfile").toFile();
    assertThatThrownBy(mojo::execute)
        .hasMessage(
            "<dockerfile>: Dockerfile not found: "
                + basedir.resolve("missing/Dockerfile")
                + " (set <dockerfile> or put a Dockerfile in the context directory)");
    mojo.dockerfile = null;
    mojo.image = "Greeter:1";
    assertThatThrownBy(mojo::execute)
        .hasMessageStartingWith("<image>: image 'Greeter:1' has a tag or digest");
    mojo.image = "greeter";
    mojo.secrets = List.of("src=/no/id");
    assertThatThrownBy(mojo::execute).hasMessageStartingWith("<secrets>: secret without id=");
    mojo.secrets = List.of();
    mojo.platform = "linux/amd64,linux/arm64";
    assertThatThrownBy(mojo::execute)
        .hasMessageStartingWith(
            "<platform>: platform 'linux/amd64,linux/arm64' names several platforms");
    mojo.platform = null;
    mojo.buildArgs = Map.of(" ", "x");
    assertThatThrownBy(mojo::execute).hasMessageStartingWith("<buildArgs>: blank name in");
    assertThat(builds).isEmpty();
  }

  /** Each bad POM parameter: one error that starts with the element and names the value. */
  static Stream<Arguments> badParameters() {
    return Stream.of(
        bad("<image>: image 'Greeter' is not a valid repository name", m -> m.image = "Greeter"),
        bad("<image>: image 'greeter:1' has a tag or digest", m -> m.image = "greeter:1"),
        bad(
            "<contextDirectory>: context directory not found: ",
            m -> m.contextDirectory = new File(m.contextDirectory, "missing")),
        bad(
            "<dockerfile>: Dockerfile not found: ",
            m -> m.dockerfile = new File(m.contextDirectory, "prod.Dockerfile")),
        bad(
            "<target>: target stage 'runtme' is not in ",
            m -> m.target = "runtme",
            "; its stages are build, runtime. Set <target> to one of them"),
        bad(
            "<platform>: platform 'linux/amd64,linux/arm64' names several platforms",
            m -> m.platform = "linux/amd64,linux/arm64"),
        bad("<buildArgs>: blank name in [ ]", m -> m.buildArgs = Map.of(" ", "x")),
        bad("<labels>: blank name in [ ]", m -> m.labels = Map.of(" ", "x")),
        bad(
            "<cacheFrom>: type=local needs src=... but 'type=local,dest=/c' has none",
            m -> m.cacheFrom = List.of("type=local,dest=/c")),
        bad(
            "<cacheTo>: unknown cache type 'gah'; expected one of gha, local, registry, inline",
            m -> m.cacheTo = List.of("type=gah")),
        bad(
            "<cacheTo>: mode=maximum in 'type=local,dest=/c,mode=maximum' is not a cache export"
                + " mode",
            m -> m.cacheTo = List.of("type=local,dest=/c,mode=maximum")),
        bad("<secrets>: secret without id=", m -> m.secrets = List.of("src=/no/id")),
        bad(
            "<secrets>: unknown key 'file' in secret 'id=a,file=/x'",
            m -> m.secrets = List.of("id=a,file=/x")),
        bad(
            "<secrets>: secret 'npmrc': no file ",
            m -> m.secrets = List.of("id=npmrc,src=" + new File(m.contextDirectory, "npmrc")),
            "create it before the build, or fix src= in <secrets>"),
        bad(
            "<imageRepository>: 'Not/Valid' is not a registry repository without tag",
            m -> m.imageRepository = "Not/Valid"),
        bad(
            "<reusePush>: 'sometimes' is not a push policy",
            m -> {
              m.imageRepository = "localhost:5000/greeter";
              m.reusePush = "sometimes";
            }));
  }

  static Arguments bad(String message, Consumer<BuildMojo> set, String... more) {
    return Arguments.of(message.substring(0, message.indexOf(':') + 1), message, set, more);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badParameters")
  void aBadParameterIsOneErrorStartingWithItsElement(
      String element, String message, Consumer<BuildMojo> set, String[] more) throws Exception {
    Files.writeString(
        basedir.resolve("Dockerfile"), "FROM scratch AS build\nFROM build AS runtime\n");
    set.accept(mojo);
    Throwable thrown = catchThrowable(mojo::execute);
    assertThat(thrown).isInstanceOf(MojoExecutionException.class).hasMessageStartingWith(message);
    for (String part : more) {
      assertThat(thrown).hasMessageContaining(part);
    }
    assertThat(builds).isEmpty();
  }
}
