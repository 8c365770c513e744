package graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cachedimage.junit.CachedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

/** The app image serves its base image's file: the test sees which base it was built on. */
class AppIT {
  @CachedImage(value = "cachedimage-it/graph-app", exposedPorts = 8080)
  static GenericContainer<?> app;

  @Test
  void servesTheBaseItWasBuiltOn() throws Exception {
    var uri = URI.create("http://" + app.getHost() + ":" + app.getMappedPort(8080) + "/base.txt");
    var body =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString())
            .body();
    assertEquals(System.getProperty("expected.base"), body.strip());
  }
}
