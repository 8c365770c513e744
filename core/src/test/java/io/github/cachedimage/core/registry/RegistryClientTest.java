package io.github.cachedimage.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.cachedimage.core.registry.RegistryException.Kind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a small registry on 127.0.0.1 that authenticates as GHCR and Docker Hub do: a
 * {@code Bearer} challenge, a token service that takes Basic credentials (or none, for public
 * repositories) and answers with a token, manifests that need the token.
 */
class RegistryClientTest {
  static final String PASSWORD = "planted-pw-91c2";
  static final String DIGEST =
      "sha256:efcf29c5bfb22f93a7524d9d0d27826bc494b2a997b517ab01180ec99716de2d";
  static final String TOKEN = "tok-for-acme-greeter";
  static final Credentials BOB = new Credentials("bob", PASSWORD, "settings.xml server 'test'");

  final List<Request> requests = new CopyOnWriteArrayList<>();
  final RegistryClient client = new RegistryClient(Duration.ofSeconds(5));
  HttpServer server;

  record Request(String method, String path, String query, String authorization, String accept) {}

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** Starts the emulated registry; {@code auth} is "bearer", "basic" or "none". */
  String start(String auth, Map<String, Integer> statusByTag, boolean sendDigest)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    String address = "127.0.0.1:" + server.getAddress().getPort();
    server.createContext(
        "/token",
        exchange -> {
          record(exchange);
          String authorization = exchange.getRequestHeaders().getFirst("Authorization");
          Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
          boolean anonymous = authorization == null;
          boolean right = ("Basic " + base64("bob:" + PASSWORD)).equals(authorization);
          boolean isPublic = query.getOrDefault("scope", "").startsWith("repository:public/");
          if (!(right || (anonymous && isPublic))) {
            respond(exchange, 401, "{\"errors\":[{\"code\":\"DENIED\"}]}");
          } else if (isPublic) {
            // GHCR-style field name
            respond(exchange, 200, "{\"access_token\":\"" + TOKEN + "\"}");
          } else {
            respond(exchange, 200, "{\"token\":\"" + TOKEN + "\",\"expires_in\":300}");
          }
        });
    server.createContext(
        "/v2/",
        exchange -> {
          record(exchange);
          String authorization = exchange.getRequestHeaders().getFirst("Authorization");
          String path = exchange.getRequestURI().getPath();
          String repository = path.substring("/v2/".length(), path.indexOf("/manifests/"));
          String tag = path.substring(path.indexOf("/manifests/") + "/manifests/".length());
          boolean authorized =
              switch (auth) {
                case "bearer" -> ("Bearer " + TOKEN).equals(authorization);
                case "basic" -> ("Basic " + base64("bob:" + PASSWORD)).equals(authorization);
                default -> true;
              };
          if (!authorized) {
            exchange
                .getResponseHeaders()
                .add(
                    "WWW-Authenticate",
                    auth.equals("basic")
                        ? "Basic realm=\"test\""
                        : "Bearer realm=\"http://"
                            + address
                            + "/token\",service=\"test-registry\",scope=\"repository:"
                            + repository
                            + ":pull\"");
            respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            return;
          }
          int status = statusByTag.getOrDefault(tag, 404);
          if (status == 200) {
            if (sendDigest) {
              exchange.getResponseHeaders().add("Docker-Content-Digest", DIGEST);
            }
            exchange
                .getResponseHeaders()
                .add("Content-Type", "application/vnd.oci.image.index.v1+json");
          }
          respond(exchange, status, MANIFEST);
        });
    server.start();
    return address;
  }

  static final String MANIFEST = "{\"schemaVersion\":2,\"manifests\":[]}";

  void record(HttpExchange exchange) {
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getPath(),
            exchange.getRequestURI().getRawQuery(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRequestHeaders().getFirst("Accept")));
  }

  static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().add("Content-Length", String.valueOf(bytes.length));
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  static Map<String, String> query(String raw) {
    java.util.Map<String, String> map = new java.util.HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        map.put(
            pair.substring(0, eq),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return map;
  }

  static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The whole chain of messages, where a leaked secret would show. */
  static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c).append('\n');
    }
    return all.toString();
  }

  @Test
  void bearerTokenFlowWithBasicCredentialsAtTheTokenService() throws IOException {
    String address = start("bearer", Map.of("fp-1", 200), true);
    ImageReference ref = ImageReference.parse(address + "/acme/greeter:fp-1");

    assertThat(client.manifestDigest(ref, Optional.of(BOB))).contains(DIGEST);

    assertThat(requests).hasSize(3);
    Request first = requests.get(0);
    assertThat(first.method()).isEqualTo("HEAD");
    assertThat(first.path()).isEqualTo("/v2/acme/greeter/manifests/fp-1");
    assertThat(first.authorization()).isNull();
    assertThat(first.accept())
        .contains(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    Request token = requests.get(1);
    assertThat(token.method()).isEqualTo("GET");
    assertThat(query(token.query()))
        .isEqualTo(Map.of("service", "test-registry", "scope", "repository:acme/greeter:pull"));
    assertThat(token.authorization()).isEqualTo("Basic " + base64("bob:" + PASSWORD));
    assertThat(requests.get(2).authorization()).isEqualTo("Bearer " + TOKEN);
  }

  @Test
  void aMissingTagIsEmpty() throws IOException {
    String address = start("bearer", Map.of("fp-1", 200), true);
    assertThat(
            client.manifestDigest(
                ImageReference.parse(address + "/acme/greeter:fp-2"), Optional.of(BOB)))
        .isEmpty();
  }

  @Test
  void aDigestReferenceAsksForTheDigest() throws IOException {
    String address = start("bearer", Map.of(DIGEST, 200), true);
    assertThat(
            client.manifestDigest(
                ImageReference.parse(address + "/acme/greeter@" + DIGEST), Optional.of(BOB)))
        .contains(DIGEST);
    assertThat(requests.get(0).path()).isEqualTo("/v2/acme/greeter/manifests/" + DIGEST);
  }

  @Test
  void aPublicRepositoryGetsAnAnonymousAccessToken() throws IOException {
    String address = start("bearer", Map.of("1", 200), true);
    assertThat(
            client.manifestDigest(
                ImageReference.parse(address + "/public/busybox:1"), Optional.empty()))
        .contains(DIGEST);
    assertThat(requests.get(1).authorization()).isNull();
  }

  @Test
  void aWrongPasswordIsUnauthorizedNamingRegistryAndSourceNeverThePassword() throws IOException {
    String address = start("bearer", Map.of("fp-1", 200), true);
    String wrong = "wrong-" + PASSWORD;
    Credentials bad = new Credentials("bob", wrong, "docker config /tmp/x/config.json (auths)");
    ImageReference ref = ImageReference.parse(address + "/acme/greeter:fp-1");

    assertThatThrownBy(() -> client.manifestDigest(ref, Optional.of(bad)))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "registry "
                          + address
                          + " refused access to acme/greeter with the credentials of user"
                          + " 'bob' from docker config /tmp/x/config.json (auths): check the user"
                          + " name and password or token (a token needs pull access to the"
                          + " repository, push access to publish) and that the repository"
                          + " exists");
              assertThat(messages(e)).doesNotContain(wrong).doesNotContain(PASSWORD);
            });
  }

  @Test
  void noCredentialsForAPrivateRepositoryIsUnauthorizedSayingNoneWereFound() throws IOException {
    String address = start("bearer", Map.of("fp-1", 200), true);
    assertThatThrownBy(
            () ->
                client.manifestDigest(
                    ImageReference.parse(address + "/acme/greeter:fp-1"), Optional.empty()))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
              assertThat(e.getMessage())
                  .contains("registry " + address + " refused access to acme/greeter")
                  .contains("no credentials (none were found, so it was asked anonymously)");
            });
  }

  @Test
  void basicChallengeIsAnsweredWithTheCredentials() throws IOException {
    String address = start("basic", Map.of("fp-1", 200), true);
    ImageReference ref = ImageReference.parse(address + "/acme/greeter:fp-1");
    assertThat(client.manifestDigest(ref, Optional.of(BOB))).contains(DIGEST);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).authorization()).isEqualTo("Basic " + base64("bob:" + PASSWORD));

    Credentials bad = new Credentials("bob", "nope-" + PASSWORD, "test");
    assertThatThrownBy(() -> client.manifestDigest(ref, Optional.of(bad)))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
              assertThat(messages(e)).doesNotContain(PASSWORD);
            });
    assertThatThrownBy(() -> client.manifestDigest(ref, Optional.empty()))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED));
  }

  @Test
  void withoutDockerContentDigestTheDigestIsTheBodysSha256() throws Exception {
    String address = start("bearer", Map.of("fp-1", 200), false);
    String expected =
        "sha256:"
            + HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(MANIFEST.getBytes(StandardCharsets.UTF_8)));
    assertThat(
            client.manifestDigest(
                ImageReference.parse(address + "/acme/greeter:fp-1"), Optional.of(BOB)))
        .contains(expected);
    Request get = requests.get(requests.size() - 1);
    assertThat(get.method()).isEqualTo("GET");
    assertThat(get.authorization()).isEqualTo("Bearer " + TOKEN);
  }

  @Test
  void anotherStatusIsFailedWithTheStatus() throws IOException {
    String address = start("none", Map.of("fp-1", 500), true);
    assertThatThrownBy(
            () ->
                client.manifestDigest(
                    ImageReference.parse(address + "/acme/greeter:fp-1"), Optional.of(BOB)))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.FAILED);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "registry "
                          + address
                          + " answered HTTP 500 to HEAD http://"
                          + address
                          + "/v2/acme/greeter/manifests/fp-1; expected 200 or 404");
            });
  }

  @Test
  void aClosedPortIsUnreachable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ImageReference ref = ImageReference.parse("127.0.0.1:" + port + "/acme/greeter:1");
    assertThatThrownBy(() -> client.manifestDigest(ref, Optional.of(BOB)))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
              assertThat(e.getMessage())
                  .startsWith("cannot reach registry 127.0.0.1:" + port + " at http://127.0.0.1:")
                  .contains("ConnectException")
                  .endsWith("check the address, the network and that the registry is up");
              assertThat(messages(e)).doesNotContain(PASSWORD);
            });
  }

  @Test
  void aRegistryThatDoesNotAnswerInTimeIsUnreachable() throws IOException {
    CountDownLatch release = new CountDownLatch(1);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.start();
    RegistryClient impatient = new RegistryClient(Duration.ofMillis(300));
    ImageReference ref =
        ImageReference.parse("127.0.0.1:" + server.getAddress().getPort() + "/acme/greeter:1");
    try {
      assertThatThrownBy(() -> impatient.manifestDigest(ref, Optional.empty()))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
                assertThat(e.getMessage()).contains("HttpTimeoutException");
              });
    } finally {
      release.countDown();
    }
  }
}
