package io.github.cachedimage.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;

class PushMojoTest {

  private static PushMojo mojo(String... tags) {
    PushMojo mojo = new PushMojo();
    mojo.pushTags = Arrays.asList(tags);
    return mojo;
  }

  @Test
  void tagsAreTrimmedAndBlankOnesSkipped() throws MojoExecutionException {
    assertThat(mojo(" 1.0 ", "", "ghcr.io/acme/greeter:stable", null).tags())
        .containsExactly("1.0", "ghcr.io/acme/greeter:stable");
  }

  @Test
  void anUnresolvedPropertyOrNoTagAtAllIsAnErrorNamingThePushTags() {
    assertThatThrownBy(() -> mojo("1.0", "${git.commit.id}").tags())
        .isInstanceOf(MojoExecutionException.class)
        .hasMessageStartingWith("<pushTags>: '${git.commit.id}' holds a property Maven could not")
        .hasMessageContaining("git-commit-id-maven-plugin");
    assertThatThrownBy(() -> mojo(" ").tags())
        .hasMessage("<pushTags>: no tag to push; list at least one");
    PushMojo none = new PushMojo();
    none.pushTags = null;
    assertThatThrownBy(none::tags).isInstanceOf(MojoExecutionException.class);
  }
}
