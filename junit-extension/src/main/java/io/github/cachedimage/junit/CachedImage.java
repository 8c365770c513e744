package io.github.cachedimage.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the project's own image, as the cached-image Maven plugin recorded it, in a Testcontainers
 * {@code GenericContainer}; builds it first (once per test run, with the same spec and cache) when
 * the record is missing or stale.
 *
 * <pre>{@code
 * class GreeterIT {
 *     @CachedImage(value = "greeter", exposedPorts = 8080)
 *     static GenericContainer<?> app;
 *
 *     @Test
 *     void greets() throws Exception {
 *         var uri = URI.create("http://" + app.getHost() + ":" + app.getMappedPort(8080) + "/hello");
 *         var body = HttpClient.newHttpClient()
 *                 .send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).body();
 *         assertEquals("hello", body);
 *     }
 * }
 * }</pre>
 *
 * <p>The annotation registers the extension itself; nothing else is needed. It may also sit on a
 * composed annotation of your own, which then works wherever {@code @CachedImage} does:
 *
 * <pre>{@code
 * @Target({ElementType.FIELD, ElementType.PARAMETER})
 * @Retention(RetentionPolicy.RUNTIME)
 * @CachedImage(value = "greeter", exposedPorts = 8080)
 * @interface Greeter {}
 * }</pre>
 *
 * <h2>Fields</h2>
 *
 * <ul>
 *   <li>A field of type {@code GenericContainer<?>} receives a started container: a {@code static}
 *       field once per test class (started before {@code @BeforeAll} methods, stopped after
 *       {@code @AfterAll} methods), an instance field once per test method.
 *   <li>A field of type {@code DockerImageName} receives the ensured image (no container).
 *   <li>The field must not be {@code final} and must be {@code null} when the extension assigns it
 *       (no initialiser): the extension creates what it assigns and stops what it started, then
 *       sets the field back to {@code null}. To create the container yourself (a subclass, a
 *       Testcontainers module, a network), leave {@code @CachedImage} off the field and call {@link
 *       CachedImageResolver#ensure(String)}.
 * </ul>
 *
 * <p>Test and lifecycle method parameters annotated with {@code @CachedImage} of either type are
 * resolved the same way; a container parameter is stopped when the method's scope ends.
 *
 * <h2>Which image runs</h2>
 *
 * The record {@code target/cached-image/<image>.json} that the plugin's {@code build} goal wrote is
 * found under the module's base directory: system property {@code basedir} (set by Surefire and
 * Failsafe), else {@code user.dir} (an IDE with the module as working directory). Configuration
 * parameter or system property {@code cachedimage.recordDirectory} overrides the record directory
 * (relative paths resolve against the base directory). If the record's inputs are unchanged and the
 * engine has the recorded image, that exact image runs, by its content tag ({@code greeter:fp-...})
 * and never a movable tag, and nothing is built. Otherwise the image is built first with the
 * recorded spec and cache settings; with no record at all (after {@code mvn clean}, in an IDE) it
 * is built from the fallback spec below with the default local cache.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(CachedImageExtension.class)
public @interface CachedImage {

  /** The image (repository) name, as in the plugin's {@code <image>}, e.g. {@code greeter}. */
  String value();

  /** Container ports to expose; read the host port with {@code getMappedPort(port)}. */
  int[] exposedPorts() default {};

  /** Environment variables for the container, each {@code NAME=value}. */
  String[] env() default {};

  /** Overrides the image's command; empty keeps the image's {@code CMD}. */
  String[] command() default {};

  /** How to tell that the container is ready; see {@link WaitFor}. */
  WaitFor waitFor() default WaitFor.LISTENING_PORT;

  /**
   * The argument of {@link #waitFor()}: the path for {@link WaitFor#HTTP} (default {@code /}), the
   * regular expression for {@link WaitFor#LOG}.
   */
  String waitValue() default "";

  /** How long the container may take to become ready, in seconds. */
  int startupTimeoutSeconds() default 60;

  /**
   * Fallback spec, used only when there is no record: the build context, relative to the module's
   * base directory. Default: the base directory itself (as the plugin's {@code contextDirectory}).
   */
  String context() default "";

  /**
   * Fallback spec, used only when there is no record: the Dockerfile, relative to the context.
   * Default: {@code Dockerfile} in the context.
   */
  String dockerfile() default "";

  /** Fallback spec, used only when there is no record: build arguments, each {@code NAME=value}. */
  String[] buildArgs() default {};

  /**
   * Skip (disable) the test class or method instead of failing it when no Docker engine is
   * reachable, as Testcontainers' {@code @Testcontainers(disabledWithoutDocker = true)} does.
   */
  boolean disabledWithoutDocker() default false;

  /** How the extension waits for a started container to be ready. */
  enum WaitFor {
    /**
     * Every exposed port accepts connections (Testcontainers' default); immediate without ports.
     */
    LISTENING_PORT,
    /**
     * An HTTP GET of {@link #waitValue()} (default {@code /}) on the first exposed port answers
     * 200.
     */
    HTTP,
    /**
     * A line of the container's output contains a match of the regular expression {@link
     * #waitValue()}.
     */
    LOG,
    /** Do not wait: the container counts as ready once it runs. */
    NONE
  }
}
