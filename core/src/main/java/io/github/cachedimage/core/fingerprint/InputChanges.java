package io.github.cachedimage.core.fingerprint;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.spec.BuildSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** What differs between a recorded build and the current inputs, for "inputs changed: ...". */
final class InputChanges {
  private InputChanges() {}

  static List<String> between(
      BuildSpec recordedSpec,
      Map<String, FileState> recorded,
      BuildSpec spec,
      Map<String, FileState> current) {
    List<String> changed = new ArrayList<>();
    Set<String> keys = new TreeSet<>(recorded.keySet());
    keys.addAll(current.keySet());
    for (String key : keys) {
      FileState before = recorded.get(key);
      FileState now = current.get(key);
      if (before == null
          || now == null
          || !before.sha256().equals(now.sha256())
          || before.mode() != now.mode()) {
        changed.add(key);
      }
    }
    if (recordedSpec != null) {
      diffMap("build-arg ", recordedSpec.buildArgs(), spec.buildArgs(), changed);
      diffMap("label ", recordedSpec.labels(), spec.labels(), changed);
      if (!Objects.equals(recordedSpec.target(), spec.target())) {
        changed.add("target");
      }
      if (!Objects.equals(recordedSpec.platform(), spec.platform())) {
        changed.add("platform");
      }
      Set<String> secretsBefore =
          new TreeSet<>(recordedSpec.secrets().stream().map(s -> s.id()).toList());
      Set<String> secretsNow = new TreeSet<>(spec.secrets().stream().map(s -> s.id()).toList());
      if (!secretsBefore.equals(secretsNow)) {
        changed.add("secrets");
      }
    }
    return changed;
  }

  private static void diffMap(
      String prefix, Map<String, String> before, Map<String, String> now, List<String> out) {
    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(now.keySet());
    for (String key : keys) {
      if (!Objects.equals(before.get(key), now.get(key))) {
        out.add(prefix + key);
      }
    }
  }

  static List<String> bases(Map<String, String> recorded, Map<String, String> now) {
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, String> base : now.entrySet()) {
      String before = recorded.get(base.getKey());
      if (before != null && !before.equals(base.getValue())) {
        changed.add(
            "base image "
                + base.getKey()
                + " changed: "
                + shortId(before)
                + " -> "
                + shortId(base.getValue()));
      } else if (before == null) {
        changed.add("base image " + base.getKey());
      }
    }
    for (String ref : recorded.keySet()) {
      if (!now.containsKey(ref)) {
        changed.add("base image " + ref);
      }
    }
    return changed;
  }

  private static String shortId(String id) {
    return id.isEmpty() ? "(none)" : HelpfulSuggestions.shortId(id);
  }
}
