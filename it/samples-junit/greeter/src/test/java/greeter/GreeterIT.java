package greeter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cachedimage.junit.CachedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/** The README's example, as a user writes it. */
class GreeterIT {
  @CachedImage(value = "cachedimage-it/greeter", exposedPorts = 8080)
  static GenericContainer<?> app;

  @Test
  void greets() throws Exception {
    var uri = URI.create("http://" + app.getHost() + ":" + app.getMappedPort(8080) + "/hello");
    var body =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString())
            .body();
    assertEquals(System.getProperty("expected.greeting"), body);
  }

  /** The user's JUnit and Testcontainers won mediation over the extension's own. */
  @Test
  void runsOnTheUsersVersions() {
    assertEquals(
        System.getProperty("expected.junit"), Test.class.getPackage().getImplementationVersion());
    assertEquals(
        System.getProperty("expected.testcontainers"), DockerClientFactory.TESTCONTAINERS_VERSION);
  }
}
