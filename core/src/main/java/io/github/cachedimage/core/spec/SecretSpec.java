package io.github.cachedimage.core.spec;

import java.util.Objects;

/**
 * One build secret in {@code docker buildx build --secret} syntax: {@code id=npmrc,src=/path},
 * {@code id=token,env=TOKEN} or {@code id=token}. Only the id enters fingerprints and logs; the
 * secret's value is never read by cached-image (buildx reads it). The source (a path or variable
 * name, not the value) is kept so a later rebuild can pass the same flag.
 *
 * @param id the secret id a Dockerfile mounts with {@code RUN --mount=type=secret,id=...}
 * @param source the rest of the spec after the id ({@code src=/path}, {@code env=NAME}) or {@code
 *     null} when only an id was given
 */
public record SecretSpec(String id, String source) {
  public SecretSpec {
    if (id == null || id.isBlank()) {
      throw new InvalidBuildSpecException(
          "secrets", "secret without id=...; expected id=NAME[,src=PATH|env=VAR]");
    }
    if (source != null && source.isBlank()) {
      source = null;
    }
  }

  /** The keys buildx's {@code --secret} takes. */
  static final java.util.List<String> KEYS =
      java.util.List.of("id", "type", "src", "source", "env");

  /**
   * The file this secret is read from ({@code src=} or {@code source=}; {@code type=env} has none),
   * or {@code null}.
   */
  public String file() {
    if (source == null) {
      return null;
    }
    String file = null;
    for (String field : CacheSpec.splitCsv(source)) {
      int eq = field.indexOf('=');
      String key = eq < 0 ? "" : field.substring(0, eq).trim();
      if (key.equals("type") && !field.substring(eq + 1).trim().equals("file")) {
        return null;
      }
      if (key.equals("src") || key.equals("source")) {
        file = field.substring(eq + 1);
      }
    }
    return file;
  }

  /** Parses a buildx {@code --secret} spec. */
  public static SecretSpec parse(String buildxSecretSpec) {
    Objects.requireNonNull(buildxSecretSpec, "secret spec");
    String id = null;
    StringBuilder rest = new StringBuilder();
    for (String field : CacheSpec.splitCsv(buildxSecretSpec.trim())) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw new InvalidBuildSpecException(
            "secrets",
            "malformed secret attribute '" + field + "'; expected id=NAME[,src=PATH|env=VAR]");
      }
      String key = field.substring(0, eq).trim();
      if (!KEYS.contains(key)) {
        // buildx fails on it too, but only once the build runs, without naming <secrets>
        throw new InvalidBuildSpecException(
            "secrets",
            "unknown key '"
                + key
                + "' in secret '"
                + buildxSecretSpec.trim()
                + "'; expected id=NAME[,src=PATH|env=VAR] (keys: "
                + String.join(", ", KEYS)
                + ")");
      }
      if (key.equals("id")) {
        id = field.substring(eq + 1);
      } else {
        if (rest.length() > 0) {
          rest.append(',');
        }
        rest.append(field);
      }
    }
    return new SecretSpec(id, rest.toString());
  }

  /** The value for {@code --secret}. */
  public String toBuildxArgument() {
    return source == null ? "id=" + id : "id=" + id + "," + source;
  }
}
