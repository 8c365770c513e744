package io.github.cachedimage.junit;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Fixtures for {@link ComposedAnnotationTest}: {@code @CachedImage} only as a meta-annotation on
 * the users' own annotations, never on the fields and parameters themselves. Run only through the
 * EngineTestKit, without an engine.
 */
class ComposedAnnotationTestCases {

  @Target({ElementType.FIELD, ElementType.PARAMETER})
  @Retention(RetentionPolicy.RUNTIME)
  @CachedImage(value = "greeter", exposedPorts = 8080)
  @interface Greeter {}

  @Target({ElementType.FIELD, ElementType.PARAMETER})
  @Retention(RetentionPolicy.RUNTIME)
  @CachedImage(value = "greeter", disabledWithoutDocker = true)
  @interface GreeterIfDocker {}

  @Target(ElementType.FIELD)
  @Retention(RetentionPolicy.RUNTIME)
  @CachedImage(
      value = "greeter",
      env = {"MODE=fast", "VERBOSE"})
  @interface GreeterWithBadEnv {}

  @ExtendWith(Fixtures.NoDocker.class)
  static class StaticFieldTestCase {
    @Greeter static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class SkippedStaticFieldTestCase {
    @GreeterIfDocker static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class AttributesTestCase {
    @GreeterWithBadEnv static GenericContainer<?> app;

    @Test
    void one() {
      fail("must not run");
    }
  }

  @ExtendWith(Fixtures.NoDocker.class)
  static class ParametersTestCase {
    @Test
    void resolved(@Greeter DockerImageName image) {
      fail("must not run");
    }

    @Test
    void skipped(@GreeterIfDocker DockerImageName image) {
      fail("must not run");
    }

    @Test
    void plain() {}
  }
}
