package io.github.cachedimage.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a record with jackson-core's streaming generator, the mirror of {@link RecordReader}:
 * cheap in a cold JVM, so the up-to-date path can afford to refresh the stat cache. Same JSON as
 * data binding would write (pretty-printed, paths as plain strings, instants in ISO-8601).
 */
final class RecordWriter {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RecordWriter() {}

  static byte[] write(BuildRecord r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("image", r.image());
      if (r.spec() != null) {
        g.writeFieldName("spec");
        spec(g, r.spec());
      }
      string(g, "fingerprint", r.fingerprint());
      string(g, "imageId", r.imageId());
      string(g, "digest", r.digest());
      strings(g, "tags", r.tags());
      string(g, "contentTag", r.contentTag());
      string(g, "builtAt", r.builtAt() == null ? null : r.builtAt().toString());
      g.writeNumberField("buildMillis", r.buildMillis());
      if (r.cacheSummary() != null) {
        g.writeObjectFieldStart("cacheSummary");
        g.writeNumberField("steps", r.cacheSummary().steps());
        g.writeNumberField("cached", r.cacheSummary().cached());
        strings(g, "from", r.cacheSummary().from());
        g.writeEndObject();
      }
      g.writeObjectFieldStart("files");
      for (Map.Entry<String, FileState> e : new TreeMap<>(r.files()).entrySet()) {
        FileState f = e.getValue();
        g.writeObjectFieldStart(e.getKey());
        g.writeNumberField("size", f.size());
        g.writeNumberField("mtimeNanos", f.mtimeNanos());
        g.writeNumberField("mode", f.mode());
        g.writeStringField("fileKey", f.fileKey());
        string(g, "sha256", f.sha256());
        g.writeBooleanField("racy", f.racy());
        g.writeEndObject();
      }
      g.writeEndObject();
      map(g, "baseImages", r.baseImages());
      if (r.engine() != null) {
        g.writeObjectFieldStart("engine");
        string(g, "id", r.engine().id());
        string(g, "host", r.engine().host());
        g.writeEndObject();
      }
      string(g, "pulledFrom", r.pulledFrom());
      g.writeNumberField("formatVersion", r.formatVersion());
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void spec(JsonGenerator g, BuildSpec s) throws IOException {
    g.writeStartObject();
    g.writeStringField("image", s.image());
    string(g, "contextDirectory", path(s.contextDirectory()));
    string(g, "dockerfile", path(s.dockerfile()));
    map(g, "buildArgs", s.buildArgs());
    g.writeStringField("target", s.target());
    g.writeStringField("platform", s.platform());
    map(g, "labels", s.labels());
    g.writeArrayFieldStart("secrets");
    for (SecretSpec secret : s.secrets()) {
      g.writeStartObject();
      g.writeStringField("id", secret.id());
      g.writeStringField("source", secret.source());
      g.writeEndObject();
    }
    g.writeEndArray();
    caches(g, "cacheFrom", s.cacheFrom());
    caches(g, "cacheTo", s.cacheTo());
    g.writeStringField("builder", s.builder());
    g.writeBooleanField("pull", s.pull());
    g.writeBooleanField("noCache", s.noCache());
    g.writeBooleanField("failOnCacheExportError", s.failOnCacheExportError());
    if (s.reuse() == null) {
      g.writeNullField("reuse"); // as data binding writes the spec
    } else {
      g.writeObjectFieldStart("reuse");
      g.writeStringField("repository", s.reuse().repository());
      g.writeStringField("push", s.reuse().push());
      g.writeBooleanField("strict", s.reuse().strict());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void caches(JsonGenerator g, String name, List<CacheSpec> caches)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (CacheSpec c : caches) {
      g.writeStartObject();
      g.writeStringField("type", c.type());
      map(g, "attributes", c.attributes());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void map(JsonGenerator g, String name, Map<String, String> map)
      throws IOException {
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, String> e : map.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  private static void strings(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  private static void string(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static String path(Path p) {
    return p == null ? null : p.toString();
  }
}
