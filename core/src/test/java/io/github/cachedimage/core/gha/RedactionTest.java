package io.github.cachedimage.core.gha;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.spec.CacheSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void masksTokenAndGhtokenValues() {
    assertThat(Redaction.redact("--cache-to type=gha,token=abc.def.ghi,scope=app,ghtoken=ghp_1"))
        .isEqualTo("--cache-to type=gha,token=***,scope=app,ghtoken=***");
  }

  @Test
  void masksQuotedFields() {
    assertThat(Redaction.redact("type=gha,\"token=a,b\"\"c\",scope=x"))
        .isEqualTo("type=gha,\"token=***\",scope=x");
  }

  @Test
  void leavesOtherTextAlone() {
    String line = "#5 [2/3] RUN echo tokenizer=ok && echo my_token=1";
    assertThat(Redaction.redact(line)).isEqualTo(line);
    assertThat(Redaction.redact("token=***")).isEqualTo("token=***");
  }

  @Test
  void masksTheRunnersTokenWhereverItAppears() {
    Map<String, String> env = Map.of("ACTIONS_RUNTIME_TOKEN", "eyJsecret-value-123");
    assertThat(Redaction.redact("error: bad auth eyJsecret-value-123 for url", env))
        .isEqualTo("error: bad auth *** for url");
  }

  @Test
  void redactsSpecs() {
    CacheSpec spec = CacheSpec.parse("type=gha,token=secret,scope=app");
    assertThat(Redaction.redact(spec).toBuildxArgument()).isEqualTo("type=gha,token=***,scope=app");
    CacheSpec clean = CacheSpec.parse("type=gha,scope=app");
    assertThat(Redaction.redact(clean)).isSameAs(clean);
    assertThat(Redaction.redactCommand(List.of("--cache-from", "type=gha,token=s")))
        .containsExactly("--cache-from", "type=gha,token=***");
  }
}
