package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.Processes;
import io.github.cachedimage.it.support.SecondEngine;
import io.github.cachedimage.it.support.TestImages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The build, the check and the tests reach engines the ways users do: a docker CLI context naming a
 * second engine, {@code DOCKER_HOST=tcp://} forwarded by socat, and a TLS {@code tcp://} endpoint
 * with a CA made here. The second engine is a real dockerd beside the test engine.
 */
class EnginesIT {
  static final String IMAGE = "cachedimage-it/greeter"; // the sample's tests ask for this name
  static final String TEST_ENGINE = "unix:///var/run/docker.sock";
  static final String[] VERSIONS = {"-Djunit.version=5.10.3", "-Dtestcontainers.version=1.21.4"};

  static Path work;
  static SecondEngine second;
  static Path clientCerts;
  static int tlsPort;

  @BeforeAll
  static void startSecondEngine() throws Exception {
    assumeTrue(
        SecondEngine.dockerd().isPresent(),
        "needs the dockerd that scripts/docker-engine unpacks, to start a second engine");
    assumeTrue(Files.exists(Path.of("/var/run/docker.sock")), "the test engine's default socket");
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    work = Files.createTempDirectory("cached-image-engines-");
    Path certs = makeCertificates(work.resolve("certs"));
    clientCerts = certs.resolve("client");
    tlsPort = freePort();
    second = SecondEngine.start(work.resolve("engine2"), new SecondEngine.Tls(tlsPort, certs));
    second.copyFromTestEngine(TestImages.JRE);
  }

  @AfterAll
  static void stopSecondEngine() throws IOException {
    Docker.removeRepository(IMAGE);
    if (second != null) {
      second.close();
    }
    if (work != null) {
      MavenSample.deleteTree(work);
    }
  }

  @BeforeEach
  void noImageOnEitherEngine() {
    Docker.removeRepository(IMAGE);
    second.docker("image", "rm", "-f", IMAGE + ":latest");
  }

  /** A docker CLI configuration of its own whose current context is the second engine. */
  private static Path contextConfig() throws IOException {
    Path config = Files.createTempDirectory(work, "docker-config-");
    var env = java.util.Map.of("DOCKER_CONFIG", config.toString());
    Processes.run(
            List.of("docker", "context", "create", "second", "--docker", "host=" + second.host()),
            Duration.ofSeconds(30),
            null,
            env)
        .requireSuccess();
    Processes.run(List.of("docker", "context", "use", "second"), Duration.ofSeconds(30), null, env)
        .requireSuccess();
    return config;
  }

  private static MavenSample sample(Path dockerConfig) throws IOException {
    MavenSample sample = JunitSamples.copy("greeter");
    return dockerConfig == null
        ? sample
        : sample.environment("DOCKER_CONFIG", dockerConfig.toString());
  }

  private static String[] args(String... more) {
    String[] all = new String[VERSIONS.length + more.length];
    System.arraycopy(more, 0, all, 0, more.length);
    System.arraycopy(VERSIONS, 0, all, more.length, VERSIONS.length);
    return all;
  }

  @Test
  void theCurrentContextIsWhereThePluginBuildsAndChecks() throws Exception {
    MavenSample sample = sample(contextConfig());
    MavenSample.Run first = sample.run(args("verify", "-DskipITs", "-X")).assertSuccess();
    BuildRecord built = sample.record(IMAGE).orElseThrow();
    assertThat(built.engine().host()).isEqualTo(second.host());
    assertThat(second.imageId(built.contentTag())).contains(built.imageId());
    assertThat(Docker.imageId(built.contentTag())).isEmpty(); // not on the test engine
    // the engine is named once, at debug level
    assertThat(first.linesContaining("cached-image: Docker engine " + second.host()))
        .singleElement()
        .asString()
        .startsWith("[DEBUG]")
        .contains("docker context 'second'");

    MavenSample.Run again = sample.run(args("verify", "-DskipITs")).assertSuccess();
    again.assertLogContains(
        IMAGE + ": up to date (" + built.shortImageId() + ", inputs unchanged)");
    again.assertLogLacks(IMAGE + ": building");
  }

  @Test
  void testsBuildOnTestcontainersEngineAndSayWhy() throws Exception {
    MavenSample sample = sample(contextConfig());
    MavenSample.Run run = sample.run(args("verify")).assertSuccess();
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
    // the plugin built on the context's engine; the extension once more where the tests run
    assertThat(JunitSamples.pluginLines(run, IMAGE + ": built ")).hasSize(1);
    List<String> reasons =
        JunitSamples.extensionLines(run, IMAGE + ": building (image built on engine ");
    assertThat(reasons).hasSize(1);
    assertThat(reasons.get(0))
        .contains("(" + second.host() + "), tests run on engine ")
        .contains("(" + TEST_ENGINE + ")");
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": built ")).hasSize(1);
    BuildRecord record = sample.record(IMAGE).orElseThrow();
    assertThat(record.engine().host()).isEqualTo(TEST_ENGINE);
    assertThat(Docker.imageId(record.contentTag())).contains(record.imageId());
  }

  @Test
  void dockerHostOverTcpForBuildCheckAndTests() throws Exception {
    int port = freePort();
    Process socat =
        new ProcessBuilder(
                "setsid",
                "socat",
                "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr",
                "UNIX-CONNECT:/var/run/docker.sock")
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("socat.log").toFile())
            .start();
    try {
      awaitPort(port);
      String host = "tcp://127.0.0.1:" + port;
      MavenSample sample = sample(null).environment("DOCKER_HOST", host);
      MavenSample.Run first = sample.run(args("verify")).assertSuccess();
      first.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
      BuildRecord built = sample.record(IMAGE).orElseThrow();
      assertThat(built.engine().host()).isEqualTo(host);
      assertThat(JunitSamples.pluginLines(first, IMAGE + ": built ")).hasSize(1);
      assertThat(JunitSamples.extensionLines(first, IMAGE + ": building")).isEmpty();

      MavenSample.Run again = sample.run(args("verify")).assertSuccess();
      again.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
      again.assertLogLacks(IMAGE + ": building");
      assertThat(JunitSamples.pluginLines(again, IMAGE + ": up to date (" + built.shortImageId()))
          .hasSize(1);
    } finally {
      socat.destroy();
      socat.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void tlsEndpointWithItsOwnCertificates() throws Exception {
    String host = "tcp://127.0.0.1:" + tlsPort;
    MavenSample sample =
        sample(null)
            .environment("DOCKER_HOST", host)
            .environment("DOCKER_TLS_VERIFY", "1")
            .environment("DOCKER_CERT_PATH", clientCerts.toString());
    sample.run(args("verify", "-DskipITs")).assertSuccess();
    BuildRecord built = sample.record(IMAGE).orElseThrow();
    assertThat(built.engine().host()).isEqualTo(host);
    assertThat(second.imageId(built.contentTag())).contains(built.imageId());
    MavenSample.Run again = sample.run(args("verify", "-DskipITs")).assertSuccess();
    again.assertLogContains(
        IMAGE + ": up to date (" + built.shortImageId() + ", inputs unchanged)");

    // without the client certificate the engine refuses: one clear line, no stack trace
    MavenSample.Run refused =
        sample(null)
            .environment("DOCKER_HOST", host)
            .run(args("verify", "-DskipITs"))
            .assertFailure();
    refused.assertLogContains("Cannot reach a Docker engine");
    refused.assertLogContains(
        "Engine asked: "
            + host
            + " (from DOCKER_HOST); if it listens with TLS (port 2376), set"
            + " DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH");
  }

  @Test
  void anSshEngineFailsWithTheWorkaroundAndAMissingContextNamesIt() throws Exception {
    MavenSample.Run ssh =
        sample(null)
            .environment("DOCKER_HOST", "ssh://me@build-host")
            .run(args("verify", "-DskipITs"))
            .assertFailure();
    ssh.assertLogContains("which only the docker CLI speaks");
    ssh.assertLogContains("DOCKER_HOST=unix:///tmp/docker.sock");

    MavenSample.Run missing =
        sample(null)
            .environment("DOCKER_CONTEXT", "desktop-linux")
            .run(args("verify", "-DskipITs"))
            .assertFailure();
    missing.assertLogContains(
        "docker context 'desktop-linux' (from DOCKER_CONTEXT) does not exist");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(int port) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("socat did not listen on " + port);
  }

  /**
   * A CA, a server certificate for 127.0.0.1 and a client certificate, as {@code dockerd
   * --tlsverify} and the docker CLI's {@code DOCKER_CERT_PATH} expect them.
   */
  private static Path makeCertificates(Path dir) {
    String script =
        String.join(
            "\n",
            "set -e",
            "mkdir -p \"$1/client\" && cd \"$1\"",
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2"
                + " -subj /CN=cached-image-test-ca 2>/dev/null",
            "openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr"
                + " -subj /CN=127.0.0.1 2>/dev/null",
            "printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext",
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial"
                + " -out server-cert.pem -days 2 -extfile server.ext 2>/dev/null",
            "openssl req -newkey rsa:2048 -nodes -keyout client/key.pem -out client.csr"
                + " -subj /CN=cached-image-test-client 2>/dev/null",
            "printf 'extendedKeyUsage=clientAuth\\n' > client.ext",
            "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial"
                + " -out client/cert.pem -days 2 -extfile client.ext 2>/dev/null",
            "cp ca.pem client/ca.pem");
    Processes.run(List.of("sh", "-c", script, "certs", dir.toString()), Duration.ofMinutes(1))
        .requireSuccess();
    return dir;
  }
}
