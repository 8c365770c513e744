package io.github.cachedimage.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SecretNamesTest {
  @Test
  void passwordTokenSecretAndKeyInAnyCase() {
    Map<String, String> args = new TreeMap<>();
    args.put("JAR", "target/app.jar");
    args.put("DB_PASSWORD", "x");
    args.put("npm_token", "x");
    args.put("ClientSecret", "x");
    args.put("API_KEY", "x");
    args.put("VERSION", "1");
    assertThat(SecretNames.inBuildArgs(args))
        .containsExactly("API_KEY", "ClientSecret", "DB_PASSWORD", "npm_token");
    assertThat(SecretNames.looksSecret("PASSWD")).isFalse();
  }
}
