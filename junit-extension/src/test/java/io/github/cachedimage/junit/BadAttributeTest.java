package io.github.cachedimage.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.junit.BadAttributeTestCases.BlankImageTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.BuildArgWithoutNameTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.EnvWithoutValueTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.HttpPathWithoutSlashTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.HttpWithoutPortTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.ImageNameNotARepositoryTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.LogBadRegexTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.LogWithoutRegexTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.MissingContextTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.MissingDockerfileTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.PortTooHighTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.PortZeroTestCase;
import io.github.cachedimage.junit.BadAttributeTestCases.TimeoutZeroTestCase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * The catalogue of bad {@code @CachedImage} attributes: each fails its test class with one {@link
 * ExtensionConfigurationException} that names the annotation, the field, the attribute with its
 * value, and what is expected; no test runs. docs/reliability.md tables these cases.
 */
class BadAttributeTest {
  static final Path BASE =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
          .toAbsolutePath()
          .normalize();

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            PortZeroTestCase.class,
            "@CachedImage(\"greeter\") on PortZeroTestCase.app: exposedPorts: 0 is not a port"
                + " (1-65535)"),
        Arguments.of(
            PortTooHighTestCase.class,
            "@CachedImage(\"greeter\") on PortTooHighTestCase.app: exposedPorts: 70000 is not a"
                + " port (1-65535)"),
        Arguments.of(
            TimeoutZeroTestCase.class,
            "@CachedImage(\"greeter\") on TimeoutZeroTestCase.app: startupTimeoutSeconds must be"
                + " positive, but was: 0"),
        Arguments.of(
            HttpWithoutPortTestCase.class,
            "@CachedImage(\"greeter\") on HttpWithoutPortTestCase.app: waitFor = HTTP needs"
                + " exposedPorts"),
        Arguments.of(
            HttpPathWithoutSlashTestCase.class,
            "@CachedImage(\"greeter\") on HttpPathWithoutSlashTestCase.app: waitValue 'health'"
                + " for waitFor = HTTP must be a path starting with /"),
        Arguments.of(
            LogWithoutRegexTestCase.class,
            "@CachedImage(\"greeter\") on LogWithoutRegexTestCase.app: waitFor = LOG needs"
                + " waitValue, a regular expression to find in a log line"),
        Arguments.of(
            LogBadRegexTestCase.class,
            "@CachedImage(\"greeter\") on LogBadRegexTestCase.app: waitValue 'started (' is not a"
                + " regular expression: Unclosed group"),
        Arguments.of(
            EnvWithoutValueTestCase.class,
            "@CachedImage(\"greeter\") on EnvWithoutValueTestCase.app: env entry 'VERBOSE' is not"
                + " NAME=value"),
        Arguments.of(
            BuildArgWithoutNameTestCase.class,
            "@CachedImage(\"greeter\") on BuildArgWithoutNameTestCase.app: buildArgs entry"
                + " '=target/app.jar' is not NAME=value"),
        Arguments.of(
            BlankImageTestCase.class,
            "@CachedImage(\" \") on BlankImageTestCase.app: image name is blank; expected e.g."
                + " @CachedImage(\"greeter\")"),
        Arguments.of(
            ImageNameNotARepositoryTestCase.class,
            "@CachedImage(\"Greeter\") on ImageNameNotARepositoryTestCase.app: cannot provide"
                + " image 'Greeter': image 'Greeter' is not a valid repository name (lower-case"
                + " a-z, 0-9, . _ - and /)"),
        Arguments.of(
            MissingContextTestCase.class,
            "@CachedImage(\"no-such-image\") on MissingContextTestCase.app: no record of image"
                + " 'no-such-image' at {records}/no-such-image.json and no Dockerfile to build it"
                + " from at "
                + BASE.resolve("src/test/resources/images/nope/Dockerfile")
                + ". Build it with the cached-image plugin first"),
        Arguments.of(
            MissingDockerfileTestCase.class,
            "@CachedImage(\"no-such-image\") on MissingDockerfileTestCase.app: no record of image"
                + " 'no-such-image' at {records}/no-such-image.json and no Dockerfile to build it"
                + " from at "
                + BASE.resolve("src/test/resources/images/hello/Dockerfile.prod")
                + ". Build it with the cached-image plugin first"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void failsTheClassNamingTheAttributeAndTheFix(
      Class<?> fixture, String message, @TempDir Path records) {
    EngineExecutionResults results =
        Fixtures.run(fixture, Map.of("cachedimage.recordDirectory", records.toString()));
    results.testEvents().assertStatistics(stats -> stats.started(0));
    List<Event> failed =
        results.containerEvents().failed().list().stream()
            .filter(e -> e.getTestDescriptor().getSource().isPresent())
            .toList();
    assertThat(failed).hasSize(1);
    assertThat(CachedImageExtensionTest.failure(failed.get(0)))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageStartingWith(message.replace("{records}", records.toString()));
  }
}
