package io.github.cachedimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

  @TempDir Path dir;

  @Test
  @Timeout(20) // without the watchdog, it would wait forever
  void anEngineThatDoesNotAnswerIsGivenUpOnAfterTheTimeout() throws Exception {
    Path socket = dir.resolve("silent.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      UnixSocketImages images = new UnixSocketImages(socket, Duration.ofMillis(300));
      long start = System.nanoTime();
      assertThatThrownBy(() -> images.hasImage("sha256:abc"))
          .isInstanceOf(DockerUnavailableException.class)
          .hasMessageContaining("no answer within 300 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void anAnswerInTimeIsRead() throws Exception {
    Path socket = dir.resolve("engine.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread engine =
          new Thread(
              () -> {
                for (String body : new String[] {"[]", "{\"message\":\"No such image\"}"}) {
                  try (SocketChannel client = server.accept()) {
                    client.read(ByteBuffer.allocate(4096));
                    String status = body.equals("[]") ? "200 OK" : "404 Not Found";
                    client.write(
                        ByteBuffer.wrap(
                            ("HTTP/1.1 "
                                    + status
                                    + "\r\nContent-Length: "
                                    + body.length()
                                    + "\r\n\r\n"
                                    + body)
                                .getBytes(StandardCharsets.US_ASCII)));
                  } catch (Exception e) {
                    return;
                  }
                }
              });
      engine.start();
      UnixSocketImages images = new UnixSocketImages(socket, Duration.ofSeconds(5));
      assertThat(images.hasImage("sha256:abc")).isTrue();
      assertThat(images.hasImage("sha256:def")).isFalse();
      engine.join(5_000);
    }
  }

  @Test
  void onlyForLocalSockets() {
    assertThat(UnixSocketImages.forEndpoint(DockerEndpoint.of("tcp://10.0.0.1:2376", "test")))
        .isEmpty();
    assertThat(UnixSocketImages.forEndpoint(DockerEndpoint.of("ssh://me@host", "test"))).isEmpty();
    assertThat(UnixSocketImages.forEndpoint(DockerEndpoint.of("unix:///nonexistent.sock", "test")))
        .isEmpty();
  }
}
