package io.github.cachedimage.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.record.BuildRecord.CacheSummary;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.ReuseSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a record with jackson-core's streaming parser only. The up-to-date check runs once per
 * Maven or test JVM, so it is always cold: data binding a record (mapper set-up and introspection
 * of seven record types) costs about a second of class loading and reflection there, this a tenth.
 * Writing stays with data binding ({@link RecordStore#write}); a round-trip test keeps both in
 * step.
 */
final class RecordReader {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RecordReader() {}

  static BuildRecord read(byte[] json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "no content: the file is empty");
      }
      return record(asMap(value(p, first)));
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          map.put(name, value(p, p.nextToken()));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
          list.add(value(p, next));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected " + t);
    }
  }

  private static BuildRecord record(Map<String, Object> m) {
    Map<String, Object> summary = asMap(m.get("cacheSummary"));
    Map<String, FileState> files = new HashMap<>();
    asMap(m.get("files"))
        .forEach(
            (path, v) -> {
              Map<String, Object> f = asMap(v);
              files.put(
                  path,
                  new FileState(
                      number(f.get("size")),
                      number(f.get("mtimeNanos")),
                      (int) number(f.get("mode")),
                      (String) f.get("fileKey"),
                      (String) f.get("sha256"),
                      Boolean.TRUE.equals(f.get("racy"))));
            });
    String builtAt = (String) m.get("builtAt");
    return new BuildRecord(
        (String) m.get("image"),
        m.get("spec") == null ? null : spec(asMap(m.get("spec"))),
        (String) m.get("fingerprint"),
        (String) m.get("imageId"),
        (String) m.get("digest"),
        strings(m.get("tags")),
        (String) m.get("contentTag"),
        builtAt == null ? null : Instant.parse(builtAt),
        number(m.get("buildMillis")),
        summary.isEmpty()
            ? null
            : new CacheSummary(
                (int) number(summary.get("steps")),
                (int) number(summary.get("cached")),
                strings(summary.get("from"))),
        files,
        stringMap(m.get("baseImages")),
        engine(m.get("engine")),
        (String) m.get("pulledFrom"),
        (int) number(m.get("formatVersion")));
  }

  private static BuildRecord.Engine engine(Object value) {
    if (value == null) {
      return null;
    }
    Map<String, Object> e = asMap(value);
    return new BuildRecord.Engine((String) e.get("id"), (String) e.get("host"));
  }

  private static BuildSpec spec(Map<String, Object> m) {
    List<SecretSpec> secrets = new ArrayList<>();
    for (Object o : list(m.get("secrets"))) {
      Map<String, Object> s = asMap(o);
      secrets.add(new SecretSpec((String) s.get("id"), (String) s.get("source")));
    }
    return new BuildSpec(
        (String) m.get("image"),
        path(m.get("contextDirectory")),
        path(m.get("dockerfile")),
        stringMap(m.get("buildArgs")),
        (String) m.get("target"),
        (String) m.get("platform"),
        stringMap(m.get("labels")),
        secrets,
        caches(m.get("cacheFrom")),
        caches(m.get("cacheTo")),
        (String) m.get("builder"),
        Boolean.TRUE.equals(m.get("pull")),
        Boolean.TRUE.equals(m.get("noCache")),
        Boolean.TRUE.equals(m.get("failOnCacheExportError")),
        reuse(m.get("reuse")));
  }

  private static ReuseSpec reuse(Object value) {
    if (value == null) {
      return null;
    }
    Map<String, Object> r = asMap(value);
    return new ReuseSpec(
        (String) r.get("repository"), (String) r.get("push"), Boolean.TRUE.equals(r.get("strict")));
  }

  private static List<CacheSpec> caches(Object o) {
    List<CacheSpec> out = new ArrayList<>();
    for (Object c : list(o)) {
      Map<String, Object> m = asMap(c);
      out.add(new CacheSpec((String) m.get("type"), stringMap(m.get("attributes"))));
    }
    return out;
  }

  /** Paths as Jackson writes them (a file: URI) or as plain strings. */
  private static Path path(Object o) {
    if (o == null) {
      return null;
    }
    String s = (String) o;
    return s.startsWith("file:") ? Path.of(URI.create(s)) : Path.of(s);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return o instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    for (Object s : list(o)) {
      out.add((String) s);
    }
    return out;
  }

  private static Map<String, String> stringMap(Object o) {
    Map<String, String> out = new LinkedHashMap<>();
    asMap(o).forEach((k, v) -> out.put(k, v == null ? null : v.toString()));
    return out;
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : 0L;
  }
}
