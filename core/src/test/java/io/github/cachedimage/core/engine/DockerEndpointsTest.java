package io.github.cachedimage.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution as the docker CLI does it, against a made-up home: never the user's ~/.docker. */
class DockerEndpointsTest {

  @TempDir Path home;

  private Path config() {
    return home.resolve(".docker");
  }

  private void writeConfig(String json) throws IOException {
    Files.createDirectories(config());
    Files.writeString(config().resolve("config.json"), json);
  }

  /** What {@code docker context create NAME --docker host=HOST[,ca=..]} writes. */
  private void createContext(String name, String host, boolean tls) throws IOException {
    String id = DockerEndpoints.sha256(name);
    Path meta = config().resolve("contexts/meta").resolve(id);
    Files.createDirectories(meta);
    Files.writeString(
        meta.resolve("meta.json"),
        "{\"Name\":\""
            + name
            + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\""
            + host
            + "\",\"SkipTLSVerify\":false}}}");
    if (tls) {
      Path certs = config().resolve("contexts/tls").resolve(id).resolve("docker");
      Files.createDirectories(certs);
      Files.writeString(certs.resolve("ca.pem"), "ca");
    }
  }

  @Test
  void noConfigurationAtAllIsTheDefaultSocket() {
    DockerEndpoint e = DockerEndpoints.resolve(Map.of(), home);
    assertThat(e.host()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(e.context()).isEqualTo("default");
    assertThat(e.tlsVerify()).isFalse();
  }

  @Test
  void aConfigWithoutCurrentContextIsTheDefaultSocket() throws IOException {
    writeConfig("{\"auths\":{\"ghcr.io\":{}},\"credsStore\":\"desktop\"}");
    assertThat(DockerEndpoints.resolve(Map.of(), home).host())
        .isEqualTo("unix:///var/run/docker.sock");
  }

  @Test
  void theConfigsCurrentContextNamesTheEngine() throws IOException {
    writeConfig("{\"currentContext\":\"colima\"}");
    createContext("colima", "unix:///home/me/.colima/default/docker.sock", false);
    DockerEndpoint e = DockerEndpoints.resolve(Map.of(), home);
    assertThat(e.host()).isEqualTo("unix:///home/me/.colima/default/docker.sock");
    assertThat(e.context()).isEqualTo("colima");
    assertThat(e.source()).contains("colima").contains("config.json");
    assertThat(e.unixSocket()).contains(Path.of("/home/me/.colima/default/docker.sock"));
  }

  @Test
  void dockerContextWinsOverTheConfigAndDockerHostOverBoth() throws IOException {
    writeConfig("{\"currentContext\":\"colima\"}");
    createContext("colima", "unix:///colima.sock", false);
    createContext("remote", "tcp://10.0.0.5:2376", true);
    DockerEndpoint fromEnv = DockerEndpoints.resolve(Map.of("DOCKER_CONTEXT", "remote"), home);
    assertThat(fromEnv.host()).isEqualTo("tcp://10.0.0.5:2376");
    assertThat(fromEnv.source()).contains("DOCKER_CONTEXT");

    DockerEndpoint host =
        DockerEndpoints.resolve(
            Map.of("DOCKER_CONTEXT", "remote", "DOCKER_HOST", "tcp://127.0.0.1:2375"), home);
    assertThat(host.host()).isEqualTo("tcp://127.0.0.1:2375");
    assertThat(host.context()).isNull();
    assertThat(host.tlsVerify()).isFalse();
  }

  @Test
  void aContextWithTlsMaterialVerifiesWithItsOwnCertificates() throws IOException {
    createContext("remote", "tcp://10.0.0.5:2376", true);
    DockerEndpoint e = DockerEndpoints.resolve(Map.of("DOCKER_CONTEXT", "remote"), home);
    assertThat(e.tlsVerify()).isTrue();
    assertThat(e.certPath())
        .isEqualTo(
            config()
                .resolve("contexts/tls")
                .resolve(DockerEndpoints.sha256("remote"))
                .resolve("docker"));
    assertThat(e.describe()).contains("TLS");
  }

  @Test
  void dockerHostWithTlsTakesTheCertPathOrTheConfigDirectory() throws IOException {
    Path certs = Files.createDirectories(home.resolve("certs/client"));
    Files.writeString(certs.resolve("ca.pem"), "");
    DockerEndpoint explicit =
        DockerEndpoints.resolve(
            Map.of(
                "DOCKER_HOST", "tcp://dind:2376",
                "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString()),
            home);
    assertThat(explicit.tlsVerify()).isTrue();
    assertThat(explicit.certPath()).isEqualTo(certs);

    Files.createDirectories(config());
    Files.writeString(config().resolve("ca.pem"), "");
    DockerEndpoint defaulted =
        DockerEndpoints.resolve(
            Map.of("DOCKER_HOST", "tcp://dind:2376", "DOCKER_TLS_VERIFY", "1"), home);
    assertThat(defaulted.certPath()).isEqualTo(config());

    Path cli = Files.createDirectories(home.resolve("etc/docker-cli"));
    Files.writeString(cli.resolve("ca.pem"), "");
    Map<String, String> custom = new HashMap<>(Map.of("DOCKER_CONFIG", cli.toString()));
    custom.put("DOCKER_HOST", "tcp://dind:2376");
    custom.put("DOCKER_TLS_VERIFY", "yes");
    assertThat(DockerEndpoints.resolve(custom, home).certPath()).isEqualTo(cli);
  }

  @Test
  void aMissingContextSaysWhichAndWhatToDo() throws IOException {
    assertThatThrownBy(() -> DockerEndpoints.resolve(Map.of("DOCKER_CONTEXT", "gone"), home))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageContaining("docker context 'gone' (from DOCKER_CONTEXT) does not exist")
        .hasMessageContaining("docker context ls");
    writeConfig("{\"currentContext\":\"desktop-linux\"}");
    assertThatThrownBy(() -> DockerEndpoints.resolve(Map.of(), home))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageContaining("'desktop-linux'")
        .hasMessageContaining("currentContext in " + config().resolve("config.json"));
  }

  @Test
  void theDefaultContextByNameIsTheDefaultSocket() throws IOException {
    writeConfig("{\"currentContext\":\"default\"}");
    assertThat(DockerEndpoints.resolve(Map.of(), home).host())
        .isEqualTo("unix:///var/run/docker.sock");
    assertThat(DockerEndpoints.resolve(Map.of("DOCKER_CONTEXT", "default"), home).context())
        .isEqualTo("default");
  }

  @Test
  void brokenConfigurationNamesTheFile() throws IOException {
    writeConfig("{\"currentContext\": ");
    assertThatThrownBy(() -> DockerEndpoints.resolve(Map.of(), home))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageContaining(config().resolve("config.json").toString())
        .hasMessageContaining("\"currentContext\" is not a plain JSON string");
    createContext("broken", "", false);
    assertThatThrownBy(() -> DockerEndpoints.resolve(Map.of("DOCKER_CONTEXT", "broken"), home))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageContaining("has no docker endpoint");
  }

  @Test
  void dockerConfigMovesTheWholeConfiguration() throws IOException {
    Path elsewhere = home.resolve("ci-docker");
    Files.createDirectories(elsewhere);
    Files.writeString(elsewhere.resolve("config.json"), "{\"currentContext\":\"ci\"}");
    Path meta = elsewhere.resolve("contexts/meta").resolve(DockerEndpoints.sha256("ci"));
    Files.createDirectories(meta);
    Files.writeString(
        meta.resolve("meta.json"), "{\"Endpoints\":{\"docker\":{\"Host\":\"unix:///ci.sock\"}}}");
    assertThat(DockerEndpoints.resolve(Map.of("DOCKER_CONFIG", elsewhere.toString()), home).host())
        .isEqualTo("unix:///ci.sock");
  }

  @Test
  void onlyTheDockerEndpointsHostCounts() throws IOException {
    Path meta = config().resolve("contexts/meta").resolve(DockerEndpoints.sha256("k"));
    Files.createDirectories(meta);
    Files.writeString(
        meta.resolve("meta.json"),
        "{\"Name\":\"k\",\"Metadata\":{\"Description\":\"x\"},\"Endpoints\":{"
            + "\"kubernetes\":{\"Host\":\"https://k8s:6443\",\"SkipTLSVerify\":true},"
            + "\"docker\":{\"Host\":\"tcp://10.1.1.1:2375\",\"SkipTLSVerify\":false}}}");
    assertThat(DockerEndpoints.resolve(Map.of("DOCKER_CONTEXT", "k"), home).host())
        .isEqualTo("tcp://10.1.1.1:2375");
  }

  @Test
  void theContextIdIsTheCliSha256OfTheName() {
    // the directory Docker Desktop's context has on every machine
    assertThat(DockerEndpoints.sha256("desktop-linux"))
        .isEqualTo("fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e");
  }
}
