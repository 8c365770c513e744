package io.github.cachedimage.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnixSocketImagesTest {

  @Test
  void parsesPlainAndChunkedResponses() throws Exception {
    var plain =
        UnixSocketImages.parse(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n"
                    + "{\"Id\":\"sha256:abc\"}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.body()).isEqualTo("{\"Id\":\"sha256:abc\"}");
    var chunked =
        UnixSocketImages.parse(
            "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"mes\r\n4\r\nsage\r\n0\r\n\r\n"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(chunked.status()).isEqualTo(404);
    assertThat(chunked.body()).isEqualTo("{\"message");
  }

  @Test
  void onlyForLocalSockets() {
    assertThat(UnixSocketImages.forEnvironment(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376")))
        .isEmpty();
    assertThat(UnixSocketImages.forEnvironment(Map.of("DOCKER_CONTEXT", "remote"))).isEmpty();
    assertThat(UnixSocketImages.forEnvironment(Map.of("DOCKER_HOST", "unix:///nonexistent.sock")))
        .isEmpty();
  }
}
