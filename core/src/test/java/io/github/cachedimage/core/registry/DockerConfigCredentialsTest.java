package io.github.cachedimage.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.base.CachedImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DockerConfigCredentialsTest {
  static final String SECRET = "planted-s3cret-7f3a";

  @TempDir Path dir;
  final List<List<String>> commands = new ArrayList<>();

  /** Runs helpers from the temp dir, and remembers what was run. */
  DockerConfigCredentials credentials() {
    return new DockerConfigCredentials(
        dir,
        command -> {
          commands.add(command);
          List<String> resolved = new ArrayList<>(command);
          resolved.set(0, dir.resolve(command.get(0)).toString());
          return new ProcessBuilder(resolved);
        });
  }

  void config(String json) throws IOException {
    Files.writeString(dir.resolve("config.json"), json);
  }

  /** A credential helper script that logs its stdin and answers for one server. */
  void helper(String name, String server, String answer) throws IOException {
    Path script = dir.resolve("docker-credential-" + name);
    Files.writeString(
        script,
        String.join(
            "\n",
            "#!/bin/sh",
            "[ \"$1\" = get ] || { echo \"unexpected $1\" >&2; exit 3; }",
            "read server",
            "echo \"$server\" >> " + dir.resolve(name + ".stdin"),
            "if [ \"$server\" = '" + server + "' ]; then",
            "  cat <<'JSON'",
            answer,
            "JSON",
            "  exit 0",
            "fi",
            "echo 'credentials not found in native keychain'",
            "exit 1",
            ""));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
  }

  static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingConfigMeansNoCredentials() {
    assertThat(credentials().find("ghcr.io")).isEmpty();
    assertThat(credentials().describe()).isEqualTo("docker config " + dir.resolve("config.json"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"ghcr.io", "https://ghcr.io", "http://ghcr.io", "https://ghcr.io/v1/", "ghcr.io/"})
  void authsKeysInEveryFormTheCliWrites(String key) throws IOException {
    config(
        "{\"auths\": {\"quay.io\": {\"auth\": \""
            + base64("other:x")
            + "\"}, \""
            + key
            + "\": {\"auth\": \""
            + base64("bob:" + SECRET)
            + "\"}}}");
    Credentials found = credentials().find("ghcr.io").orElseThrow();
    assertThat(found.username()).isEqualTo("bob");
    assertThat(found.secret()).isEqualTo(SECRET);
    assertThat(found.source())
        .isEqualTo("docker config " + dir.resolve("config.json") + " (auths '" + key + "')");
    assertThat(credentials().find("registry.example.com")).isEmpty();
  }

  @Test
  void aPasswordMayContainColons() throws IOException {
    config("{\"auths\": {\"ghcr.io\": {\"auth\": \"" + base64("bob:a:b:c") + "\"}}}");
    assertThat(credentials().find("ghcr.io").orElseThrow().secret()).isEqualTo("a:b:c");
  }

  @Test
  void dockerHubIsFoundUnderTheIndexUrl() throws IOException {
    config(
        "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \""
            + base64("hubuser:" + SECRET)
            + "\"}}}");
    assertThat(credentials().find("docker.io").orElseThrow().username()).isEqualTo("hubuser");
    assertThat(credentials().find("index.docker.io")).isEmpty(); // callers pass docker.io
  }

  @Test
  void usernameAndPasswordFields() throws IOException {
    config("{\"auths\": {\"127.0.0.1:5000\": {\"username\": \"ci\", \"password\": \"pw\"}}}");
    Credentials found = credentials().find("127.0.0.1:5000").orElseThrow();
    assertThat(found.username()).isEqualTo("ci");
    assertThat(found.secret()).isEqualTo("pw");
  }

  @Test
  void anIdentityTokenIsUsedAsTheSecretOfTheTokenUser() throws IOException {
    config(
        "{\"auths\": {\"myreg.azurecr.io\": {\"auth\": \""
            + base64("00000000-0000-0000-0000-000000000000:")
            + "\", \"identitytoken\": \""
            + SECRET
            + "\"}}}");
    Credentials found = credentials().find("myreg.azurecr.io").orElseThrow();
    assertThat(found.username()).isEqualTo("<token>");
    assertThat(found.secret()).isEqualTo(SECRET);
  }

  @Test
  void anEmptyAuthsEntryIsNoCredentials() throws IOException {
    config("{\"auths\": {\"ghcr.io\": {}}}");
    assertThat(credentials().find("ghcr.io")).isEmpty();
  }

  @Test
  void aBrokenAuthIsAnErrorThatDoesNotQuoteIt() throws IOException {
    config("{\"auths\": {\"ghcr.io\": {\"auth\": \"" + SECRET + "!!\"}}}");
    assertThatThrownBy(() -> credentials().find("ghcr.io"))
        .isInstanceOf(CachedImageException.class)
        .hasMessageContaining(dir.resolve("config.json").toString())
        .hasMessageContaining("auths 'ghcr.io'")
        .hasMessageContaining("run docker login ghcr.io again")
        .hasMessageNotContaining(SECRET);
    // base64 of something without a colon
    config("{\"auths\": {\"ghcr.io\": {\"auth\": \"" + base64(SECRET) + "\"}}}");
    assertThatThrownBy(() -> credentials().find("ghcr.io"))
        .hasMessageContaining("not user:password")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void invalidJsonIsAnErrorWithThePositionNotTheText() throws IOException {
    config("{\"auths\": {\"ghcr.io\": {\"password\": " + SECRET + "}}}");
    assertThatThrownBy(() -> credentials().find("ghcr.io"))
        .isInstanceOf(CachedImageException.class)
        .hasMessageStartingWith(
            "cannot read docker config " + dir.resolve("config.json") + ": not valid JSON (line 1")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void credsStoreIsAskedWithTheServerOnStdin() throws IOException {
    helper(
        "teststore",
        "ghcr.io",
        "{\"ServerURL\":\"ghcr.io\",\"Username\":\"bob\",\"Secret\":\"" + SECRET + "\"}");
    // the empty auths entry is what docker login writes next to a credsStore
    config("{\"auths\": {\"ghcr.io\": {}}, \"credsStore\": \"teststore\"}");
    Credentials found = credentials().find("ghcr.io").orElseThrow();
    assertThat(found.username()).isEqualTo("bob");
    assertThat(found.secret()).isEqualTo(SECRET);
    assertThat(found.source()).endsWith("(credsStore 'teststore')");
    assertThat(commands).containsExactly(List.of("docker-credential-teststore", "get"));
    assertThat(Files.readAllLines(dir.resolve("teststore.stdin"))).containsExactly("ghcr.io");
  }

  @Test
  void credsStoreWithoutTheRegistryFallsBackToAuths() throws IOException {
    helper("teststore", "ghcr.io", "{\"Username\":\"bob\",\"Secret\":\"x\"}");
    config(
        "{\"auths\": {\"quay.io\": {\"auth\": \""
            + base64("q:pw")
            + "\"}}, \"credsStore\": \"teststore\"}");
    assertThat(credentials().find("quay.io").orElseThrow().username()).isEqualTo("q");
    assertThat(credentials().find("docker.io")).isEmpty();
    // Docker Hub is asked for by its index URL, as docker login stores it
    assertThat(Files.readAllLines(dir.resolve("teststore.stdin")))
        .containsExactly("quay.io", "https://index.docker.io/v1/");
  }

  @Test
  void aCredHelperForTheRegistryComesBeforeTheStoreAndAuths() throws IOException {
    helper("gcr", "europe-docker.pkg.dev", "{\"Username\":\"oauth2accesstoken\",\"Secret\":\"t\"}");
    helper("teststore", "europe-docker.pkg.dev", "{\"Username\":\"wrong\",\"Secret\":\"x\"}");
    config(
        "{\"auths\": {\"europe-docker.pkg.dev\": {\"auth\": \""
            + base64("wrong:x")
            + "\"}}, \"credsStore\": \"teststore\","
            + " \"credHelpers\": {\"europe-docker.pkg.dev\": \"gcr\"}}");
    Credentials found = credentials().find("europe-docker.pkg.dev").orElseThrow();
    assertThat(found.username()).isEqualTo("oauth2accesstoken");
    assertThat(found.source()).endsWith("(credHelpers 'gcr')");
    assertThat(commands).containsExactly(List.of("docker-credential-gcr", "get"));
  }

  @Test
  void aCredHelperThatHasNothingMeansNoCredentials() throws IOException {
    helper("gcr", "other.example.com", "{}");
    config("{\"credHelpers\": {\"gcr.io\": \"gcr\"}}");
    assertThat(credentials().find("gcr.io")).isEmpty();
  }

  @Test
  void aMissingHelperIsAnErrorNamingItAndTheFix() throws IOException {
    config("{\"credsStore\": \"absent\"}");
    assertThatThrownBy(() -> credentials().find("ghcr.io"))
        .isInstanceOf(CachedImageException.class)
        .hasMessageStartingWith(
            "docker credential helper docker-credential-absent (credsStore in "
                + dir.resolve("config.json")
                + ") cannot be run")
        .hasMessageContaining("install it on the PATH or remove credsStore");
  }

  @Test
  void aHelperThatAnswersGarbageIsAnErrorThatDoesNotQuoteIt() throws IOException {
    helper("teststore", "ghcr.io", "Username=bob Secret=" + SECRET);
    config("{\"credsStore\": \"teststore\"}");
    assertThatThrownBy(() -> credentials().find("ghcr.io"))
        .isInstanceOf(CachedImageException.class)
        .hasMessageContaining("docker-credential-teststore")
        .hasMessageContaining("answered something other than JSON")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void fromEnvironmentReadsTheCliDirectory() {
    String env = System.getenv("DOCKER_CONFIG");
    Path expected =
        env != null && !env.isBlank()
            ? Path.of(env)
            : Path.of(System.getProperty("user.home"), ".docker");
    assertThat(DockerConfigCredentials.fromEnvironment().describe())
        .isEqualTo("docker config " + expected.resolve("config.json"));
  }

  @Test
  void optionalIsEmptyNotNull() {
    assertThat(credentials().find("ghcr.io")).isEqualTo(Optional.empty());
  }
}
