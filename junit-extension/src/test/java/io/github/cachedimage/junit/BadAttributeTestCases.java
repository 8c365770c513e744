package io.github.cachedimage.junit;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;

/**
 * Fixtures for {@link BadAttributeTest}: one bad {@code @CachedImage} attribute each, on a static
 * field. Those with {@link Fixtures.NoDocker} must fail before any image work (else the failure
 * would be the absent engine's).
 */
class BadAttributeTestCases {

  @ExtendWith(Fixtures.NoDocker.class)
  static class PortZeroTestCase {
    @CachedImage(value = "greeter", exposedPorts = 0)
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class PortTooHighTestCase {
    @CachedImage(value = "greeter", exposedPorts = 70000)
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class TimeoutZeroTestCase {
    @CachedImage(value = "greeter", startupTimeoutSeconds = 0)
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class HttpWithoutPortTestCase {
    @CachedImage(value = "greeter", waitFor = CachedImage.WaitFor.HTTP)
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class HttpPathWithoutSlashTestCase {
    @CachedImage(
        value = "greeter",
        exposedPorts = 8080,
        waitFor = CachedImage.WaitFor.HTTP,
        waitValue = "health")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class LogWithoutRegexTestCase {
    @CachedImage(value = "greeter", waitFor = CachedImage.WaitFor.LOG)
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class LogBadRegexTestCase {
    @CachedImage(value = "greeter", waitFor = CachedImage.WaitFor.LOG, waitValue = "started (")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class EnvWithoutValueTestCase {
    @CachedImage(value = "greeter", env = "VERBOSE")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class BuildArgWithoutNameTestCase {
    @CachedImage(value = "greeter", buildArgs = "=target/app.jar")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class BlankImageTestCase {
    @CachedImage(" ")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  /** No record: the fallback spec is built, with an image name a repository cannot have. */
  @ExtendWith(Fixtures.EmptyDocker.class)
  static class ImageNameNotARepositoryTestCase {
    @CachedImage(value = "Greeter", context = "src/test/resources/images/hello")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  /** No record, and the fallback context names a directory that is not there. */
  @ExtendWith(Fixtures.EmptyDocker.class)
  static class MissingContextTestCase {
    @CachedImage(value = "no-such-image", context = "src/test/resources/images/nope")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  /** No record, and the fallback Dockerfile is not in the context. */
  @ExtendWith(Fixtures.EmptyDocker.class)
  static class MissingDockerfileTestCase {
    @CachedImage(
        value = "no-such-image",
        context = "src/test/resources/images/hello",
        dockerfile = "Dockerfile.prod")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }
}
