package io.github.cachedimage.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {
  static final String DIGEST =
      "sha256:efcf29c5bfb22f93a7524d9d0d27826bc494b2a997b517ab01180ec99716de2d";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "-",
      value = {
        "busybox,                          docker.io,       library/busybox, latest, -",
        "busybox:1.36,                     docker.io,       library/busybox, 1.36,   -",
        "acme/greeter,                     docker.io,       acme/greeter,    latest, -",
        "docker.io/busybox,                docker.io,       library/busybox, latest, -",
        "index.docker.io/acme/greeter:v1,  docker.io,       acme/greeter,    v1,     -",
        "ghcr.io/acme/greeter:fp-1a2b,     ghcr.io,         acme/greeter,    fp-1a2b, -",
        "ghcr.io/acme/team/greeter,        ghcr.io,         acme/team/greeter, latest, -",
        "localhost/greeter,                localhost,       greeter,         latest, -",
        "localhost:5000/greeter:1,         localhost:5000,  greeter,         1,      -",
        "127.0.0.1:5000/a/b_c__d-e.f:1.0_x, 127.0.0.1:5000, a/b_c__d-e.f,    1.0_x,  -",
        "'[::1]:5000/greeter:1',           '[::1]:5000',    greeter,         1,      -",
        "registry.example.com:443/greeter:Tag_1, registry.example.com:443, greeter, Tag_1, -",
        "Registry.Example.com/greeter,     Registry.Example.com, greeter,    latest, -",
        // a port-less name with a colon in the last segment is a tag, as docker reads it
        "localhost:5000,                   docker.io,       library/localhost, 5000, -",
      })
  void parsesAsDockerDoes(
      String reference, String registry, String repository, String tag, String digest) {
    assertThat(ImageReference.parse(reference))
        .isEqualTo(new ImageReference(registry, repository, tag, digest));
  }

  @Test
  void aDigestNamesTheManifestAndNoTagIsAdded() {
    ImageReference ref = ImageReference.parse("ghcr.io/acme/greeter@" + DIGEST);
    assertThat(ref).isEqualTo(new ImageReference("ghcr.io", "acme/greeter", null, DIGEST));
    assertThat(ref.tagOrDigest()).isEqualTo(DIGEST);
    assertThat(ref.toString()).isEqualTo("ghcr.io/acme/greeter@" + DIGEST);
  }

  @Test
  void aTagAndADigestAreBothKept() {
    ImageReference ref = ImageReference.parse("busybox:1.36@" + DIGEST);
    assertThat(ref.tag()).isEqualTo("1.36");
    assertThat(ref.digest()).isEqualTo(DIGEST);
    assertThat(ref.tagOrDigest()).isEqualTo(DIGEST);
    assertThat(ref).hasToString("docker.io/library/busybox:1.36@" + DIGEST);
  }

  @Test
  void toStringIsTheFullyQualifiedName() {
    assertThat(ImageReference.parse("busybox")).hasToString("docker.io/library/busybox:latest");
    assertThat(ImageReference.parse("127.0.0.1:5000/greeter:fp-1"))
        .hasToString("127.0.0.1:5000/greeter:fp-1");
  }

  @Test
  void withTagReplacesTagAndDigest() {
    ImageReference ref = ImageReference.parse("ghcr.io/acme/greeter:1@" + DIGEST);
    assertThat(ref.withTag("fp-abc"))
        .isEqualTo(new ImageReference("ghcr.io", "acme/greeter", "fp-abc", null));
    assertThatThrownBy(() -> ref.withTag("-bad"))
        .isInstanceOf(InvalidImageReferenceException.class)
        .hasMessageContaining("ghcr.io/acme/greeter:-bad")
        .hasMessageContaining("tag");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "localhost:5000/greeter,   http://localhost:5000",
    "localhost/greeter,        http://localhost",
    "127.0.0.1:5000/greeter,   http://127.0.0.1:5000",
    "127.1.2.3/greeter,        http://127.1.2.3",
    "'[::1]:5000/greeter',     'http://[::1]:5000'",
    "ghcr.io/acme/greeter,     https://ghcr.io",
    "registry.local:5000/a,    https://registry.local:5000",
    "128.0.0.1:5000/greeter,   https://128.0.0.1:5000",
    "busybox,                  https://registry-1.docker.io",
    "docker.io/acme/greeter,   https://registry-1.docker.io",
  })
  void apiBaseIsPlainHttpOnlyOnLoopback(String reference, String apiBase) {
    assertThat(ImageReference.parse(reference).apiBase()).isEqualTo(apiBase);
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                          | it is empty",
        "'   '                       | it is empty",
        "'ghcr.io/acme/greeter :1'   | whitespace",
        "' busybox'                  | whitespace",
        "ghcr.io/Acme/greeter        | must be lower-case ('Acme/greeter' is not)",
        "Busybox                     | must be lower-case",
        "ghcr.io/acme/greeter:       | nothing follows ':'",
        "ghcr.io/acme/greeter@       | nothing follows '@'",
        "ghcr.io/acme/greeter:-1     | a tag is 1 to 128",
        "ghcr.io/acme/greeter:.1     | a tag is 1 to 128",
        "ghcr.io/acme/greeter:a+b    | a tag is 1 to 128",
        "ghcr.io/acme//greeter       | may not be empty",
        "ghcr.io/acme/greeter-       | ('greeter-' is not)",
        "ghcr.io/                    | the repository name is empty",
        "ghcr.io/acme/greeter@sha256:abc | sha256: and 64 lower-case hex digits",
        "ghcr.io/acme/greeter@latest | a digest is algorithm:hex",
        "reg_istry.io:5000/greeter   | the registry must be a host name",
      })
  void refusesWhatDockerRefusesNamingTheReferenceAndTheRule(String reference, String rule) {
    assertThatThrownBy(() -> ImageReference.parse(reference))
        .isInstanceOf(InvalidImageReferenceException.class)
        .hasMessageStartingWith("invalid image reference '" + reference + "': ")
        .hasMessageContaining(rule)
        .extracting(e -> ((InvalidImageReferenceException) e).reference())
        .isEqualTo(reference);
  }

  @Test
  void aTagOf129CharactersIsTooLong() {
    String tag = "a".repeat(129);
    assertThatThrownBy(() -> ImageReference.parse("greeter:" + tag))
        .isInstanceOf(InvalidImageReferenceException.class);
    assertThat(ImageReference.parse("greeter:" + tag.substring(1)).tag()).hasSize(128);
  }

  @Test
  void theConstructorValidatesToo() {
    assertThatThrownBy(() -> new ImageReference("ghcr.io", "acme/greeter", null, null))
        .isInstanceOf(InvalidImageReferenceException.class)
        .hasMessage("invalid image reference 'ghcr.io/acme/greeter': it needs a tag or a digest");
    assertThatThrownBy(() -> new ImageReference(null, "greeter", "1", null))
        .isInstanceOf(InvalidImageReferenceException.class)
        .hasMessageContaining("the registry must be");
  }
}
