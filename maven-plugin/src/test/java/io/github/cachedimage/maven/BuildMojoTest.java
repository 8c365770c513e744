package io.github.cachedimage.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
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
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    assertThatThrownBy(mojo::execute).hasMessageStartingWith("<buildArgs>: blank key in");
    assertThat(builds).isEmpty();
  }
}
