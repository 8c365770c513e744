package greeter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cachedimage.junit.CachedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

/** In its own module: no configuration of ours but the test dependency. */
class ServiceIT {
  @CachedImage(value = "cachedimage-it/reactor-service", exposedPorts = 8080)
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
}
