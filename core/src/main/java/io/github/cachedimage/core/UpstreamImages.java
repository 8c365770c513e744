package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordIndex;
import io.github.cachedimage.core.record.RecordStore;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * For the JUnit extension, which runs without the plugin's execution order: the base images of a
 * recorded image that have records of their own in the same directory are ensured first, upstream
 * first, so a stale base is rebuilt before the image built on it is checked.
 */
final class UpstreamImages {
  private UpstreamImages() {}

  /**
   * @param chain the images being ensured, downstream first (to tell a cycle)
   */
  static void ensure(CachedImages images, RecordStore store, List<String> chain) {
    if (chain.contains(store.image())) {
      chain.add(store.image());
      throw new CachedImageException(
          "the recorded images build on each other in a cycle: "
              + String.join(" -> ", chain)
              + "; fix the FROM lines of their Dockerfiles");
    }
    chain.add(store.image());
    for (String ref : recordedBases(store).keySet()) {
      String repository = repository(ref);
      if (repository == null || repository.equals(store.image())) {
        continue;
      }
      RecordStore upstream = new RecordStore(store.directory(), repository);
      if (!Files.exists(upstream.recordFile())) {
        continue; // not built by us: the engine's ID in the fingerprint covers it
      }
      ensure(images, upstream, chain); // its own upstreams first
      images.ensure(
          upstream,
          null,
          read -> {
            throw new CachedImageException(
                repository + ": its record went away while " + store.image() + " was checked");
          });
    }
    chain.remove(chain.size() - 1);
  }

  private static Map<String, String> recordedBases(RecordStore store) {
    Optional<RecordIndex> index = store.index();
    if (index.isPresent()) {
      return index.get().bases();
    }
    BuildRecord record = store.read().record();
    return record == null ? Map.of() : record.baseImages();
  }

  /** {@code acme/base} of {@code acme/base}, {@code acme/base:latest}; null for other tags. */
  static String repository(String ref) {
    if (ref.contains("@")) {
      return null;
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon > slash) {
      return ref.substring(colon + 1).equals("latest") ? ref.substring(0, colon) : null;
    }
    return ref;
  }
}
