package io.github.cachedimage.core;

import io.github.cachedimage.core.engine.BuildProgress;
import io.github.cachedimage.core.gha.Redaction;
import io.github.cachedimage.core.spec.CacheSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The caches of one build that did not work, told once per cache. BuildKit reports a failed import
 * and a failed export of the same cache apart, under vertex names rather than the configured spec
 * ({@code importing cache manifest from <ref>}, {@code exporting cache to registry}); imports
 * skipped before the build (a local cache with missing blobs) and dropped for a retry (a remote
 * cache whose blobs were evicted) join them. The record and the job summary then claim only the
 * imports and exports that worked.
 */
final class CacheFailures {
  private static final String IMPORT_VERTEX = "importing cache manifest from ";

  private final List<CacheSpec> from;
  private final List<CacheSpec> to;
  private final Map<String, String[]> reasons = new LinkedHashMap<>(); // label -> {import, export}
  private final Set<CacheSpec> failedImports = new LinkedHashSet<>();
  private final Set<CacheSpec> failedExports = new LinkedHashSet<>();
  private final Map<String, String> hints = new LinkedHashMap<>();

  /**
   * @param from the imports configured (including any skipped before the build)
   * @param to the exports configured
   */
  CacheFailures(List<CacheSpec> from, List<CacheSpec> to) {
    this.from = List.copyOf(from);
    this.to = List.copyOf(to);
  }

  /** An import that was not attempted, or was dropped, for this reason. */
  void importFailed(CacheSpec spec, String why) {
    failedImports.add(spec);
    reason(label(spec, false), 0, why);
  }

  /** What BuildKit reported failed. */
  void add(BuildProgress.CacheFailure failure) {
    if (failure.export()) {
      CacheSpec spec = exportOf(failure.vertex());
      if (spec != null) {
        failedExports.add(spec);
      }
      reason(spec == null ? "(" + failure.vertex() + ")" : label(spec, true), 1, failure.error());
    } else {
      CacheSpec spec = importOf(failure.vertex());
      if (spec != null) {
        failedImports.add(spec);
      }
      reason(spec == null ? "(" + failure.vertex() + ")" : label(spec, false), 0, failure.error());
    }
  }

  /** What to do about this cache, said after its failure (if it fails). */
  void hint(CacheSpec spec, String hint) {
    hints.put(label(spec, to.contains(spec) && !from.contains(spec)), hint);
  }

  /** Whether this export failed. */
  boolean exportFailed(CacheSpec spec) {
    return spec != null && failedExports.contains(spec);
  }

  /** The imports that did not fail, of {@code used}. */
  List<CacheSpec> imported(List<CacheSpec> used) {
    return used.stream().filter(s -> !failedImports.contains(s)).toList();
  }

  /** The exports that did not fail, of {@code used}. */
  List<CacheSpec> exported(List<CacheSpec> used) {
    return used.stream().filter(s -> !failedExports.contains(s)).toList();
  }

  /** One line per cache that failed, in the order first seen, without the image's name. */
  List<String> warnings() {
    List<String> out = new ArrayList<>();
    reasons.forEach(
        (label, why) -> {
          String hint = hints.containsKey(label) ? " (" + hints.get(label) + ")" : "";
          if (why[1] == null) {
            out.add(
                "cache import from " + label + " failed: " + why[0] + "; built without it" + hint);
          } else if (why[0] == null) {
            out.add(
                "cache export to "
                    + label
                    + " failed: "
                    + why[1]
                    + "; the image is built, the cache was not updated"
                    + hint);
          } else {
            out.add(
                "cache "
                    + label
                    + " failed: import: "
                    + why[0]
                    + "; export: "
                    + why[1]
                    + "; built without it, the cache was not updated"
                    + hint);
          }
        });
    return out;
  }

  private void reason(String label, int direction, String why) {
    String[] both = reasons.computeIfAbsent(label, k -> new String[2]);
    if (both[direction] == null) {
      both[direction] = Redaction.redact(why);
    }
  }

  /**
   * The cache as a user configured it, by what locates it: {@code type=registry,ref=...}, {@code
   * type=gha,scope=...}, {@code type=local,src=...}. An import and an export of the same place get
   * the same label (a local cache imported from and exported to one directory says {@code src}).
   */
  private String label(CacheSpec spec, boolean export) {
    String type = "type=" + spec.type();
    switch (spec.type()) {
      case "registry":
        return type + ",ref=" + spec.attribute("ref");
      case "gha":
        return spec.attribute("scope") == null ? type : type + ",scope=" + spec.attribute("scope");
      case "local":
        String dir = spec.attribute(export ? "dest" : "src");
        boolean alsoImported =
            export && from.stream().anyMatch(f -> dir != null && dir.equals(f.attribute("src")));
        return type + (export && !alsoImported ? ",dest=" : ",src=") + dir;
      default:
        String name = spec.attribute("name");
        return name == null ? type : type + ",name=" + name;
    }
  }

  /** The import a vertex named {@code importing cache manifest from <what>} stands for. */
  private CacheSpec importOf(String vertex) {
    if (!vertex.startsWith(IMPORT_VERTEX)) {
      return null;
    }
    String what = vertex.substring(IMPORT_VERTEX.length()).strip();
    int colon = what.indexOf(':');
    String prefix = colon < 0 ? "" : what.substring(0, colon);
    String type = CacheSpec.TYPES.contains(prefix) ? prefix : "registry";
    if (type.equals("registry")) {
      for (CacheSpec spec : from) {
        String ref = spec.attribute("ref");
        if (spec.type().equals("registry")
            && ref != null
            && (what.equals(ref) || what.endsWith("/" + ref))) {
          return spec;
        }
      }
    }
    return onlyOne(from, type);
  }

  /** The export a vertex such as {@code exporting cache to registry} stands for. */
  private CacheSpec exportOf(String vertex) {
    String v = vertex.toLowerCase(java.util.Locale.ROOT);
    String type =
        v.contains("registry")
            ? "registry"
            : v.contains("github actions")
                ? "gha"
                : v.contains("client directory") || v.contains("local")
                    ? "local"
                    : v.contains("s3")
                        ? "s3"
                        : v.contains("azure") || v.contains("azblob") ? "azblob" : null;
    if (type == null) {
      List<CacheSpec> exports = to.stream().filter(s -> !s.type().equals("inline")).toList();
      return exports.size() == 1 ? exports.get(0) : null;
    }
    return onlyOne(to, type);
  }

  private static CacheSpec onlyOne(List<CacheSpec> specs, String type) {
    List<CacheSpec> ofType = specs.stream().filter(s -> s.type().equals(type)).toList();
    return ofType.size() == 1 ? ofType.get(0) : null;
  }
}
