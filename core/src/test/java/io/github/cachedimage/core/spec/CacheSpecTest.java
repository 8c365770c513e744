package io.github.cachedimage.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheSpecTest {

  @Test
  void parsesTypeAndAttributesInOrder() {
    CacheSpec spec = CacheSpec.parse("type=registry,ref=localhost:5000/greeter:cache,mode=max");
    assertThat(spec.type()).isEqualTo("registry");
    assertThat(spec.attributes())
        .containsExactly(
            Map.entry("ref", "localhost:5000/greeter:cache"), Map.entry("mode", "max"));
    assertThat(spec.toBuildxArgument())
        .isEqualTo("type=registry,ref=localhost:5000/greeter:cache,mode=max");
  }

  @Test
  void bareReferenceMeansRegistryAsInBuildx() {
    assertThat(CacheSpec.parseImport("ghcr.io/acme/app:cache"))
        .isEqualTo(CacheSpec.of("registry", "ref", "ghcr.io/acme/app:cache"));
  }

  @Test
  void typeNeedNotComeFirst() {
    assertThat(CacheSpec.parseExport("dest=/tmp/c,type=local").toBuildxArgument())
        .isEqualTo("type=local,dest=/tmp/c");
  }

  @Test
  void csvQuotingRoundTrips() {
    CacheSpec spec = CacheSpec.parse("type=local,\"src=/tmp/a,b\"");
    assertThat(spec.attribute("src")).isEqualTo("/tmp/a,b");
    assertThat(spec.toBuildxArgument()).isEqualTo("type=local,\"src=/tmp/a,b\"");
    assertThat(CacheSpec.parse(spec.toBuildxArgument())).isEqualTo(spec);
  }

  @Test
  void unknownTypeNamesTheTypesBuildxKnows() {
    assertThatThrownBy(() -> CacheSpec.parseExport("type=gah,scope=x"))
        .isInstanceOf(InvalidCacheSpecException.class)
        .hasMessage(
            "unknown cache type 'gah'; expected one of gha, local, registry, inline, s3, azblob")
        .extracting(e -> ((InvalidCacheSpecException) e).value())
        .isEqualTo("type=gah,scope=x");
  }

  @Test
  void registryWithoutRef() {
    assertThatThrownBy(() -> CacheSpec.parseImport("type=registry,mode=max"))
        .isInstanceOf(InvalidCacheSpecException.class)
        .hasMessage("type=registry needs ref=... but 'type=registry,mode=max' has none");
  }

  @Test
  void localNeedsSrcToImportAndDestToExport() {
    assertThatThrownBy(() -> CacheSpec.parseImport("type=local,dest=/c"))
        .hasMessage("type=local needs src=... but 'type=local,dest=/c' has none");
    assertThatThrownBy(() -> CacheSpec.parseExport("type=local,src=/c"))
        .hasMessage("type=local needs dest=... but 'type=local,src=/c' has none");
  }

  @Test
  void malformedKeyValue() {
    assertThatThrownBy(() -> CacheSpec.parse("type=local,src"))
        .isInstanceOf(InvalidCacheSpecException.class)
        .hasMessage("malformed attribute 'src' in 'type=local,src'; expected key=value");
    assertThatThrownBy(() -> CacheSpec.parse("type=local,=x"))
        .hasMessage("malformed attribute '=x' in 'type=local,=x'; expected key=value");
  }

  @Test
  void missingTypeAndEmptySpec() {
    assertThatThrownBy(() -> CacheSpec.parse("ref=x,mode=max"))
        .hasMessage(
            "missing type= in 'ref=x,mode=max'; expected one of gha, local, registry, inline, s3,"
                + " azblob (or a bare registry reference)");
    assertThatThrownBy(() -> CacheSpec.parse(" "))
        .hasMessage("empty cache spec; expected type=...,key=value");
  }

  @Test
  void inlineOnlyExports() {
    assertThat(CacheSpec.parseExport("type=inline").type()).isEqualTo("inline");
    assertThatThrownBy(() -> CacheSpec.parseImport("type=inline"))
        .hasMessageStartingWith("type=inline cannot be imported");
  }

  @Test
  void secretsKeepIdAndSourceButNeverAValue() {
    assertThat(SecretSpec.parse("id=npmrc,src=/home/me/.npmrc"))
        .isEqualTo(new SecretSpec("npmrc", "src=/home/me/.npmrc"));
    assertThat(SecretSpec.parse("id=token,env=TOKEN").toBuildxArgument())
        .isEqualTo("id=token,env=TOKEN");
    assertThat(SecretSpec.parse("id=token")).isEqualTo(new SecretSpec("token", null));
    assertThatThrownBy(() -> SecretSpec.parse("src=/x"))
        .isInstanceOf(InvalidBuildSpecException.class);
  }
}
