package io.github.cachedimage.core.record;

import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.ReuseSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole {@link BuildSpec} as lines of tab-separated fields ({@code \}, tab and line breaks
 * escaped), for the record index: the JUnit extension takes the recorded spec from there, so its
 * fast path parses no JSON. Only what the record's JSON holds, nothing more.
 */
final class SpecLines {
  private SpecLines() {}

  static String encode(BuildSpec spec) {
    StringBuilder out = new StringBuilder(512);
    line(out, "image", spec.image());
    line(out, "context", spec.contextDirectory().toString());
    line(out, "dockerfile", spec.dockerfile().toString());
    for (Map.Entry<String, String> e : spec.buildArgs().entrySet()) {
      line(out, "build-arg", e.getKey(), e.getValue());
    }
    line(out, "target", spec.target());
    line(out, "platform", spec.platform());
    for (Map.Entry<String, String> e : spec.labels().entrySet()) {
      line(out, "label", e.getKey(), e.getValue());
    }
    for (SecretSpec secret : spec.secrets()) {
      line(out, "secret", secret.id(), secret.source());
    }
    caches(out, "cache-from", spec.cacheFrom());
    caches(out, "cache-to", spec.cacheTo());
    line(out, "builder", spec.builder());
    flag(out, "pull", spec.pull());
    flag(out, "no-cache", spec.noCache());
    flag(out, "fail-on-cache-export-error", spec.failOnCacheExportError());
    if (spec.reuse() != null) {
      line(out, "reuse", spec.reuse().repository(), spec.reuse().push());
      flag(out, "reuse-strict", spec.reuse().strict());
    }
    return out.toString();
  }

  /**
   * @return the spec, or {@code null} when the text is no spec (the JSON record then answers)
   */
  static BuildSpec decode(String text) {
    String image = null;
    Path context = null;
    Path dockerfile = null;
    String target = null;
    String platform = null;
    String builder = null;
    boolean pull = false;
    boolean noCache = false;
    boolean failOnExportError = false;
    String reuseRepository = null;
    String reusePush = null;
    boolean reuseStrict = false;
    Map<String, String> buildArgs = new LinkedHashMap<>();
    Map<String, String> labels = new LinkedHashMap<>();
    List<SecretSpec> secrets = new ArrayList<>();
    List<CacheSpec> cacheFrom = new ArrayList<>();
    List<CacheSpec> cacheTo = new ArrayList<>();
    try {
      int start = 0;
      while (start < text.length()) {
        int end = text.indexOf('\n', start);
        if (end < 0) {
          return null;
        }
        String[] f = fields(text.substring(start, end));
        start = end + 1;
        String name = f[0];
        if (name.equals("image")) {
          image = f[1];
        } else if (name.equals("context")) {
          context = Path.of(f[1]);
        } else if (name.equals("dockerfile")) {
          dockerfile = Path.of(f[1]);
        } else if (name.equals("build-arg")) {
          buildArgs.put(f[1], f[2]);
        } else if (name.equals("target")) {
          target = f[1];
        } else if (name.equals("platform")) {
          platform = f[1];
        } else if (name.equals("label")) {
          labels.put(f[1], f[2]);
        } else if (name.equals("secret")) {
          secrets.add(new SecretSpec(f[1], f.length > 2 ? f[2] : null));
        } else if (name.equals("cache-from") || name.equals("cache-to")) {
          Map<String, String> attributes = new LinkedHashMap<>();
          for (int i = 2; i + 1 < f.length; i += 2) {
            attributes.put(f[i], f[i + 1]);
          }
          (name.equals("cache-from") ? cacheFrom : cacheTo).add(new CacheSpec(f[1], attributes));
        } else if (name.equals("builder")) {
          builder = f[1];
        } else if (name.equals("pull")) {
          pull = true;
        } else if (name.equals("no-cache")) {
          noCache = true;
        } else if (name.equals("fail-on-cache-export-error")) {
          failOnExportError = true;
        } else if (name.equals("reuse")) {
          reuseRepository = f[1];
          reusePush = f[2];
        } else if (name.equals("reuse-strict")) {
          reuseStrict = true;
        } else {
          return null; // written by a newer version: the JSON record answers
        }
      }
      return new BuildSpec(
          image,
          context,
          dockerfile,
          buildArgs,
          target,
          platform,
          labels,
          secrets,
          cacheFrom,
          cacheTo,
          builder,
          pull,
          noCache,
          failOnExportError,
          reuseRepository == null ? null : new ReuseSpec(reuseRepository, reusePush, reuseStrict));
    } catch (RuntimeException e) {
      return null; // a cut or altered line, an invalid value: as good as no spec here
    }
  }

  private static void caches(StringBuilder out, String name, List<CacheSpec> caches) {
    for (CacheSpec cache : caches) {
      out.append(name).append('\t');
      escape(out, cache.type());
      for (Map.Entry<String, String> e : cache.attributes().entrySet()) {
        escape(out.append('\t'), e.getKey());
        escape(out.append('\t'), e.getValue());
      }
      out.append('\n');
    }
  }

  private static void flag(StringBuilder out, String name, boolean set) {
    if (set) {
      out.append(name).append('\n');
    }
  }

  /** {@code name<TAB>value...}; nothing when the first value is {@code null}. */
  private static void line(StringBuilder out, String name, String... values) {
    if (values[0] == null) {
      return;
    }
    out.append(name);
    for (String value : values) {
      if (value != null) {
        escape(out.append('\t'), value);
      }
    }
    out.append('\n');
  }

  private static void escape(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
  }

  private static String[] fields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\t') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\\' && i + 1 < line.length()) {
        char n = line.charAt(++i);
        field.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields.toArray(new String[0]);
  }
}
