package io.github.cachedimage.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Fixtures for {@link CachedImageExtensionIT}, run only through the EngineTestKit against a real
 * engine. Build contexts are copies the IT prepares under {@code target/it-contexts/}.
 */
class DockerTestCases {
  static final String HELLO = "cachedimage-junit-it/hello";
  static final String HELLO_CONTEXT = "target/it-contexts/hello";

  /** Container IDs the fixtures saw, for the IT to check they were stopped. */
  static final List<String> CONTAINER_IDS = new CopyOnWriteArrayList<>();

  static String get(GenericContainer<?> container, String path) throws Exception {
    var uri =
        URI.create("http://" + container.getHost() + ":" + container.getMappedPort(8080) + path);
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString())
        .body();
  }

  static String expectedBody() throws IOException {
    Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    return Files.readString(base.resolve(HELLO_CONTEXT).resolve("index.html"));
  }

  static class HelloStaticTestCase {
    @CachedImage(
        value = HELLO,
        context = HELLO_CONTEXT,
        exposedPorts = 8080,
        waitFor = CachedImage.WaitFor.HTTP,
        waitValue = "/index.html")
    static GenericContainer<?> app;

    @CachedImage(value = HELLO, context = HELLO_CONTEXT)
    static DockerImageName image;

    @Test
    void serves() throws Exception {
      assertThat(get(app, "/index.html")).isEqualTo(expectedBody());
      CONTAINER_IDS.add(app.getContainerId());
    }

    @Test
    void runsTheContentTag() {
      assertThat(image.asCanonicalNameString()).startsWith(HELLO + ":fp-");
      assertThat(app.getDockerImageName()).isEqualTo(image.asCanonicalNameString());
    }

    @AfterAll
    static void stillRunningInAfterAll() {
      assertThat(app.isRunning()).isTrue();
    }
  }

  static class HelloInstanceTestCase {
    @CachedImage(value = HELLO, context = HELLO_CONTEXT, exposedPorts = 8080)
    GenericContainer<?> app;

    @Test
    void one() throws Exception {
      assertThat(get(app, "/index.html")).isEqualTo(expectedBody());
      CONTAINER_IDS.add(app.getContainerId());
    }

    @Test
    void two() throws Exception {
      assertThat(get(app, "/index.html")).isEqualTo(expectedBody());
      CONTAINER_IDS.add(app.getContainerId());
    }

    @Nested
    class Inner {
      @Test
      void outerFieldServesNestedTests() throws Exception {
        assertThat(get(app, "/index.html")).isEqualTo(expectedBody());
        CONTAINER_IDS.add(app.getContainerId());
      }
    }
  }

  static class HelloParameterTestCase {
    @Test
    void injected(
        @CachedImage(
                value = HELLO,
                context = HELLO_CONTEXT,
                exposedPorts = 8080,
                waitFor = CachedImage.WaitFor.HTTP)
            GenericContainer<?> app,
        @CachedImage(value = HELLO, context = HELLO_CONTEXT) DockerImageName image)
        throws Exception {
      assertThat(get(app, "/index.html")).isEqualTo(expectedBody());
      assertThat(app.getDockerImageName()).isEqualTo(image.asCanonicalNameString());
      CONTAINER_IDS.add(app.getContainerId());
    }
  }

  /** env, command and the LOG wait strategy; skips without an engine (there is one here). */
  static class CommandAndLogTestCase {
    @CachedImage(
        value = HELLO,
        context = HELLO_CONTEXT,
        exposedPorts = 8080,
        env = "GREETING=hi there",
        command = {
          "sh",
          "-c",
          "echo \"$GREETING\" > /www/greeting.txt; echo 'ready to serve'; exec httpd -f -p 8080 -h /www"
        },
        waitFor = CachedImage.WaitFor.LOG,
        waitValue = "ready to (serve|go)",
        disabledWithoutDocker = true)
    static GenericContainer<?> app;

    @Test
    void startedWithTheEnvironmentAndCommand() throws Exception {
      assertThat(get(app, "/greeting.txt")).isEqualTo("hi there\n");
    }
  }

  static class BrokenBuildTestCase {
    @CachedImage(value = "cachedimage-junit-it/broken", context = "target/it-contexts/broken")
    static GenericContainer<?> app;

    @Test
    void one() {}
  }

  static class CrashingTestCase {
    @CachedImage(
        value = "cachedimage-junit-it/crashing",
        context = "target/it-contexts/crashing",
        exposedPorts = 8080,
        startupTimeoutSeconds = 20)
    static GenericContainer<?> app;

    @Test
    void one() {}
  }
}
