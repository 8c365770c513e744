package io.github.cachedimage.junit;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Fixtures for {@link CachedImageExtensionTest}, run only through the EngineTestKit; none needs a
 * Docker engine (they fail or skip before one would be used).
 */
class UnitTestCases {

  static class WrongTypeTestCase {
    @CachedImage("greeter")
    static String app;

    @Test
    void one() {}

    @Test
    void two() {}
  }

  static class FinalFieldTestCase {
    @CachedImage("greeter")
    static final GenericContainer<?> app = null;

    @Test
    void one() {}
  }

  static class AlreadyInitialisedTestCase {
    @CachedImage("greeter")
    DockerImageName image = DockerImageName.parse("greeter:latest");

    @Test
    void one() {}
  }

  @ExtendWith(Fixtures.EmptyDocker.class)
  static class UnknownImageTestCase {
    @CachedImage("no-such-image")
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class NoDockerTestCase {
    @CachedImage(value = "greeter", exposedPorts = 8080)
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class DisabledWithoutDockerTestCase {
    @CachedImage(value = "greeter", disabledWithoutDocker = true)
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class InstanceDisabledWithoutDockerTestCase {
    @CachedImage(value = "greeter", disabledWithoutDocker = true)
    GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }

    @Test
    void two() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class ParameterDisabledWithoutDockerTestCase {
    @Test
    void needsDocker(
        @CachedImage(value = "greeter", disabledWithoutDocker = true) DockerImageName image) {
      fail("must not run");
    }

    @Test
    void doesNot() {}
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class InvalidEnvTestCase {
    @CachedImage(
        value = "greeter",
        env = {"MODE=fast", "VERBOSE"})
    static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class InvalidWaitTestCase {
    @CachedImage(value = "greeter", waitFor = CachedImage.WaitFor.LOG, waitValue = "started (")
    GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  static class WrongParameterTypeTestCase {
    @Test
    void one(@CachedImage("greeter") String image) {
      fail("must not run");
    }
  }

  /** Docker is only needed by the test that asks for an image. */
  @ExtendWith(Fixtures.NoDocker.class)
  static class OnlyAnnotatedNeedDockerTestCase {
    @Test
    void plain() {}

    @Test
    void withImage(@CachedImage("greeter") DockerImageName image) {
      fail("must not run");
    }
  }
}
