package io.github.cachedimage.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeepContentTagsTest {
  @Test
  void numbersAllAndBlank() {
    assertThat(KeepContentTags.parse(null)).isEqualTo(KeepContentTags.DEFAULT);
    assertThat(KeepContentTags.parse(" ")).isEqualTo(KeepContentTags.DEFAULT);
    assertThat(KeepContentTags.parse("5").count()).isEqualTo(5);
    assertThat(KeepContentTags.parse("ALL").all()).isTrue();
    assertThat(KeepContentTags.parse("0").all()).isTrue();
    assertThat(KeepContentTags.DEFAULT.count()).isEqualTo(3);
  }

  @Test
  void anythingElseNamesTheParameterAndTheFix() {
    for (String bad : new String[] {"-1", "three", "2.5"}) {
      assertThatThrownBy(() -> KeepContentTags.parse(bad))
          .isInstanceOfSatisfying(
              InvalidBuildSpecException.class,
              e -> assertThat(e.parameter()).isEqualTo("keepContentTags"))
          .hasMessage(
              "'"
                  + bad
                  + "' is not a number of content tags to keep; use a number of 1 or more (3 is"
                  + " the default), or all to keep every content tag");
    }
  }
}
