package io.github.cachedimage.core.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code --cache-from} or {@code --cache-to} entry in exactly the syntax of {@code docker
 * buildx build} and docker/build-push-action: {@code
 * type=local|registry|gha|inline|s3|azblob,key=value,...} (comma-separated, CSV quoting allowed). A
 * bare reference without {@code type=} means {@code type=registry,ref=<reference>}, as in buildx.
 *
 * <pre>{@code
 * CacheSpec from = CacheSpec.parseImport("type=registry,ref=localhost:5000/greeter:cache");
 * CacheSpec to = CacheSpec.parseExport("type=local,dest=/tmp/cache,mode=max");
 * to.toBuildxArgument(); // "type=local,dest=/tmp/cache,mode=max"
 * }</pre>
 *
 * @param type one of {@link #TYPES}
 * @param attributes the other {@code key=value} pairs in their written order (keys lower-case)
 */
public record CacheSpec(String type, Map<String, String> attributes) {

  /** The cache backends buildx knows. */
  public static final List<String> TYPES =
      List.of("gha", "local", "registry", "inline", "s3", "azblob");

  public CacheSpec {
    Objects.requireNonNull(type, "type");
    if (!TYPES.contains(type)) {
      throw new InvalidCacheSpecException(
          type, "unknown cache type '" + type + "'; expected one of " + String.join(", ", TYPES));
    }
    attributes =
        attributes == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  /** A spec of this type with these attributes (in order: key, value, key, value...). */
  public static CacheSpec of(String type, String... keysAndValues) {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      attributes.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return new CacheSpec(type, attributes);
  }

  /**
   * Parses a spec and checks its syntax and type, but not the attributes one direction needs; see
   * {@link #parseImport} and {@link #parseExport}.
   *
   * @throws InvalidCacheSpecException naming the problem (unknown type, malformed {@code k=v})
   */
  public static CacheSpec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new InvalidCacheSpecException(spec, "empty cache spec; expected type=...,key=value");
    }
    String trimmed = spec.trim();
    List<String> fields = splitCsv(trimmed);
    if (fields.size() == 1 && !fields.get(0).contains("=")) {
      // buildx: a plain reference is a registry cache
      return of("registry", "ref", fields.get(0));
    }
    String type = null;
    Map<String, String> attributes = new LinkedHashMap<>();
    for (String field : fields) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw new InvalidCacheSpecException(
            spec, "malformed attribute '" + field + "' in '" + spec + "'; expected key=value");
      }
      String key = field.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
      String value = field.substring(eq + 1);
      if (key.equals("type")) {
        type = value.trim();
      } else {
        attributes.put(key, value);
      }
    }
    if (type == null) {
      throw new InvalidCacheSpecException(
          spec,
          "missing type= in '"
              + spec
              + "'; expected one of "
              + String.join(", ", TYPES)
              + " (or a bare registry reference)");
    }
    try {
      return new CacheSpec(type, attributes);
    } catch (InvalidCacheSpecException e) {
      throw new InvalidCacheSpecException(spec, e.getMessage());
    }
  }

  /** Parses a {@code --cache-from} spec and checks it has what an import needs. */
  public static CacheSpec parseImport(String spec) {
    return parse(spec).requireImportable(spec);
  }

  /** Parses a {@code --cache-to} spec and checks it has what an export needs. */
  public static CacheSpec parseExport(String spec) {
    return parse(spec).requireExportable(spec);
  }

  /** Checks this spec can be used with {@code --cache-from}; returns it. */
  public CacheSpec requireImportable() {
    return requireImportable(toBuildxArgument());
  }

  /** Checks this spec can be used with {@code --cache-to}; returns it. */
  public CacheSpec requireExportable() {
    return requireExportable(toBuildxArgument());
  }

  private CacheSpec requireImportable(String written) {
    switch (type) {
      case "registry" -> require(written, "ref");
      case "local" -> require(written, "src");
      case "s3" -> require(written, "bucket", "region");
      case "azblob" -> require(written, "account_url");
      case "inline" ->
          throw new InvalidCacheSpecException(
              written,
              "type=inline cannot be imported; to use an inline cache write"
                  + " type=registry,ref=<image> in cache-from");
      default -> {}
    }
    return this;
  }

  private CacheSpec requireExportable(String written) {
    String mode = attributes.get("mode");
    // BuildKit drops a mode it does not know without a word and exports mode=min
    if (mode != null && !mode.equals("min") && !mode.equals("max")) {
      throw new InvalidCacheSpecException(
          written,
          "mode="
              + mode
              + " in '"
              + written
              + "' is not a cache export mode; expected mode=min (the default: the final image's"
              + " layers) or mode=max (every stage's layers)");
    }
    switch (type) {
      case "registry" -> require(written, "ref");
      case "local" -> require(written, "dest");
      case "s3" -> require(written, "bucket", "region");
      case "azblob" -> require(written, "account_url");
      default -> {}
    }
    return this;
  }

  private void require(String written, String... keys) {
    for (String key : keys) {
      String value = attributes.get(key);
      if (value == null || value.isBlank()) {
        throw new InvalidCacheSpecException(
            written, "type=" + type + " needs " + key + "=... but '" + written + "' has none");
      }
    }
  }

  /** The attribute or {@code null}. */
  public String attribute(String key) {
    return attributes.get(key);
  }

  /** A copy with one attribute set (replacing any previous value). */
  public CacheSpec with(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(attributes);
    copy.put(key, value);
    return new CacheSpec(type, copy);
  }

  /** The spec in buildx syntax, for {@code --cache-from}/{@code --cache-to} and for logs. */
  public String toBuildxArgument() {
    StringBuilder out = new StringBuilder(quote("type=" + type));
    attributes.forEach((k, v) -> out.append(',').append(quote(k + "=" + v)));
    return out.toString();
  }

  @JsonIgnore
  @Override
  public String toString() {
    return toBuildxArgument();
  }

  private static String quote(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }

  /** Splits one CSV record the way Go's encoding/csv (which buildx uses) does. */
  static List<String> splitCsv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            current.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          current.append(c);
        }
      } else if (c == '"' && current.length() == 0) {
        quoted = true;
      } else if (c == ',') {
        fields.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (quoted) {
      throw new InvalidCacheSpecException(line, "unterminated quote in '" + line + "'");
    }
    fields.add(current.toString());
    return fields;
  }
}
