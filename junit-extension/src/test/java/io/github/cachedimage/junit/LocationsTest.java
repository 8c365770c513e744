package io.github.cachedimage.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Record discovery and the fallback spec's paths, without an engine. */
class LocationsTest {
  private static final Path BASE =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
          .toAbsolutePath()
          .normalize();

  @Test
  void recordsAreWhereThePluginWritesThemUnderTheBaseDirectory() {
    Locations locations = Locations.discover(name -> Optional.empty());
    assertThat(locations.baseDirectory()).isEqualTo(BASE);
    assertThat(locations.recordDirectory()).isEqualTo(BASE.resolve("target/cached-image"));
  }

  @Test
  void withoutBasedirAsInAnIdeTheWorkingDirectoryIsTheBase() {
    String basedir = System.getProperty("basedir");
    System.clearProperty("basedir");
    try {
      Path workingDirectory = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
      assertThat(Locations.discover(name -> Optional.empty()).recordDirectory())
          .isEqualTo(workingDirectory.resolve("target/cached-image"));
    } finally {
      if (basedir != null) {
        System.setProperty("basedir", basedir);
      }
    }
  }

  @Test
  void overrideResolvesAgainstTheBaseDirectory() {
    assertThat(discover("build/records").recordDirectory())
        .isEqualTo(BASE.resolve("build/records"));
    assertThat(discover("/tmp/records").recordDirectory()).isEqualTo(Path.of("/tmp/records"));
    assertThat(discover("  ").recordDirectory()).isEqualTo(BASE.resolve("target/cached-image"));
  }

  @Test
  void fallbackSpecPathsResolveAgainstTheBaseDirectoryAndTheContext() {
    Locations locations = Locations.discover(name -> Optional.empty());
    ImageRequest request =
        ImageRequest.of("greeter", locations, "docker", "Dockerfile.test", Map.of("A", "1"));
    assertThat(request.fallbackContext()).isEqualTo(BASE.resolve("docker"));
    assertThat(request.fallbackDockerfile()).isEqualTo(BASE.resolve("docker/Dockerfile.test"));
    assertThat(ImageRequest.of("greeter", locations, "", "", Map.of()).fallbackDockerfile())
        .isEqualTo(BASE.resolve("Dockerfile"));
  }

  @Test
  void keyValuesKeepEqualsSignsInValuesAndRejectEntriesWithoutName() {
    assertThat(KeyValues.parse("env", new String[] {"A=b=c", "EMPTY="}))
        .containsEntry("A", "b=c")
        .containsEntry("EMPTY", "");
    assertThatThrownBy(() -> KeyValues.parse("buildArgs", new String[] {"=x"}))
        .hasMessage("buildArgs entry '=x' is not NAME=value");
  }

  private static Locations discover(String override) {
    return Locations.discover(
        name ->
            name.equals(Locations.RECORD_DIRECTORY_PROPERTY)
                ? Optional.of(override)
                : Optional.empty());
  }
}
