package greeter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cachedimage.junit.CachedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

/** A second class, so that forkCount=2 runs two JVMs asking for the same image at once. */
class GreeterAgainIT {
  @CachedImage(value = "cachedimage-it/greeter", exposedPorts = 8080)
  GenericContainer<?> app;

  @Test
  void greetsAgain() throws Exception {
    var uri = URI.create("http://" + app.getHost() + ":" + app.getMappedPort(8080) + "/hello");
    var body =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString())
            .body();
    assertEquals(System.getProperty("expected.greeting"), body);
  }
}
