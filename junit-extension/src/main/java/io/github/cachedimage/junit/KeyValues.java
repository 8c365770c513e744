package io.github.cachedimage.junit;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code NAME=value} attribute entries. */
final class KeyValues {
  private KeyValues() {}

  /**
   * Parses entries; the value may contain {@code =} and may be empty.
   *
   * @throws IllegalArgumentException naming the attribute and the bad entry
   */
  static Map<String, String> parse(String attribute, String[] entries) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || entry.substring(0, eq).isBlank()) {
        throw new IllegalArgumentException(attribute + " entry '" + entry + "' is not NAME=value");
      }
      map.put(entry.substring(0, eq).trim(), entry.substring(eq + 1));
    }
    return map;
  }
}
