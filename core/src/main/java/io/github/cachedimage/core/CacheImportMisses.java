package io.github.cachedimage.core;

import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.gha.Redaction;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.spec.CacheSpec;
import java.util.List;
import java.util.function.Supplier;

/**
 * Tells an expected cache miss from a lost cache. BuildKit reports importing a cache that holds
 * nothing ({@code not found}) as a failure, though on a first build nothing was ever exported
 * there: that is one INFO line. A miss of a cache that the previous build (its record) exported to
 * means the cache was evicted, deleted or is written elsewhere: that stays a warning. Any other
 * import failure (a registry that is down, refused credentials) is a warning as before.
 */
final class CacheImportMisses {

  /** What to log for a cache warning: a warning, or (an expected miss) an INFO line. */
  record Verdict(boolean warning, String message) {}

  private final List<CacheSpec> imports;
  private final Supplier<BuildRecord> previous;
  private BuildRecord previousRecord;
  private boolean previousRead;

  /**
   * @param imports the cache-from entries the build was given
   * @param previous the record before this build, or null; asked on the first miss only
   */
  CacheImportMisses(List<CacheSpec> imports, Supplier<BuildRecord> previous) {
    this.imports = List.copyOf(imports);
    this.previous = previous;
  }

  Verdict classify(String warning) {
    if (!warning.contains("not found")) {
      return new Verdict(true, warning);
    }
    for (CacheSpec cache : imports) {
      String location = location(cache, true);
      if (location == null || !warning.contains(location)) {
        continue;
      }
      String described = Redaction.redact(cache).toBuildxArgument();
      if (exportedBefore(cache, location)) {
        return new Verdict(
            true, warning + "; " + HelpfulSuggestions.cacheGoneSinceExport(described));
      }
      return new Verdict(false, HelpfulSuggestions.cacheEmptyYet(described));
    }
    return new Verdict(true, warning);
  }

  private boolean exportedBefore(CacheSpec cache, String location) {
    BuildRecord record = previous();
    if (record == null || record.spec() == null) {
      return false;
    }
    for (CacheSpec export : record.spec().cacheTo()) {
      if (export.type().equals(cache.type()) && location.equals(location(export, false))) {
        return true;
      }
    }
    return false;
  }

  private BuildRecord previous() {
    if (!previousRead) {
      previousRead = true;
      previousRecord = previous == null ? null : previous.get();
    }
    return previousRecord;
  }

  /** Where a cache is: a local directory, else its ref, scope, name or URL. */
  static String location(CacheSpec cache, boolean importing) {
    if (cache.type().equals("local")) {
      return cache.attribute(importing ? "src" : "dest");
    }
    for (String key : List.of("ref", "scope", "name", "url")) {
      if (cache.attribute(key) != null) {
        return cache.attribute(key);
      }
    }
    return null;
  }
}
