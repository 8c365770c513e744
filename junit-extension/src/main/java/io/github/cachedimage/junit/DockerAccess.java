package io.github.cachedimage.junit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.transport.SSLConfig;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerJavaImages;
import io.github.cachedimage.core.engine.DockerJavaTransfer;
import io.github.cachedimage.core.engine.ImageTransfer;
import io.github.cachedimage.core.engine.UnixSocketImages;
import java.net.URI;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * The extension's one seam to the Docker engine: the docker-java client that the user's
 * Testcontainers already configured (DOCKER_HOST, ~/.testcontainers.properties, Docker Desktop...),
 * so the extension talks to the engine the containers run on. Tests substitute it.
 */
interface DockerAccess {

  /** Whether an engine answers; cheap after the first call. */
  boolean isReachable();

  /**
   * Why no engine answers, for the error message; only called when {@link #isReachable()} fails.
   */
  String unreachableReason();

  /** The engine's images, for the core's freshness check. */
  DockerImages images();

  /**
   * The engine Testcontainers uses, for {@code docker buildx}: a build made for a test must load
   * where the test's containers run, whatever the CLI's current context says.
   */
  DockerEndpoint endpoint();

  /** Tags an image ({@code docker tag ID repository:tag}). */
  void tag(String imageId, String repository, String tag);

  /** Pull and push on the same engine, for fingerprint-keyed reuse. */
  ImageTransfer transfer();

  /** Through Testcontainers' {@link DockerClientFactory}. */
  static DockerAccess testcontainers() {
    return TestcontainersDocker.INSTANCE;
  }

  /** The default access; one per JVM, as Testcontainers' client is. */
  final class TestcontainersDocker implements DockerAccess {
    static final TestcontainersDocker INSTANCE = new TestcontainersDocker();

    private volatile DockerImages images;

    private TestcontainersDocker() {}

    @Override
    public boolean isReachable() {
      return DockerClientFactory.instance().isDockerAvailable();
    }

    @Override
    public String unreachableReason() {
      try {
        DockerClientFactory.instance().client();
        return "the engine stopped answering";
      } catch (RuntimeException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getName() : message;
      }
    }

    @Override
    public DockerImages images() {
      DockerImages result = images;
      if (result == null) {
        synchronized (this) {
          if (images == null) {
            images = imagesOf(DockerClientFactory.instance());
          }
          result = images;
        }
      }
      return result;
    }

    /**
     * The engine Testcontainers uses, asked over its Unix socket with the JDK when it is one (the
     * first docker-java inspect of a run costs tens of milliseconds of class loading; this a few),
     * else through Testcontainers' docker-java client.
     */
    private static DockerImages imagesOf(DockerClientFactory factory) {
      DockerClient client = factory.client();
      URI host = factory.getTransportConfig().getDockerHost();
      if (host != null && "unix".equals(host.getScheme()) && host.getPath() != null) {
        return new UnixSocketImages(Path.of(host.getPath()));
      }
      return new DockerJavaImages(client, String.valueOf(host));
    }

    @Override
    public DockerEndpoint endpoint() {
      return endpointOf(DockerClientFactory.instance().getTransportConfig());
    }

    /**
     * Testcontainers' host and, for TLS, its certificate directory. Testcontainers shades
     * docker-java's {@code LocalDirectorySSLConfig}, so its one accessor is found by name.
     */
    static DockerEndpoint endpointOf(TransportConfig transport) {
      String host = transport.getDockerHost().toString();
      SSLConfig ssl = transport.getSslConfig();
      if (ssl == null) {
        return DockerEndpoint.of(host, "Testcontainers");
      }
      Path certs = null;
      try {
        Object dir = ssl.getClass().getMethod("getDockerCertPath").invoke(ssl);
        certs = dir == null ? null : Path.of(dir.toString());
      } catch (ReflectiveOperationException | RuntimeException e) {
        // another SSLConfig (a keystore): buildx gets the CLI's default certificates
      }
      return new DockerEndpoint(host, true, certs, null, "Testcontainers");
    }

    @Override
    public void tag(String imageId, String repository, String tag) {
      DockerClientFactory.instance().client().tagImageCmd(imageId, repository, tag).exec();
    }

    @Override
    public ImageTransfer transfer() {
      return new DockerJavaTransfer(DockerClientFactory.instance().client());
    }
  }
}
