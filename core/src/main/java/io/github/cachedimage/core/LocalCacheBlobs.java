package io.github.cachedimage.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a {@code type=local} cache directory still holds the blobs its index names. A directory
 * whose layer blobs were deleted (a CI cache restored in part, a clean-up by age) keeps an index
 * that BuildKit trusts: it then builds the steps again without saying why. Checking first costs
 * reading two small JSON files and a few stats, on the build path only.
 */
final class LocalCacheBlobs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalCacheBlobs() {}

  /**
   * What is wrong with the cache in {@code dir}, or empty when it is complete or has no index at
   * all (no cache yet: buildx says so itself).
   */
  static Optional<String> problem(Path dir) {
    Path index = dir.resolve("index.json");
    if (!Files.isRegularFile(index)) {
      return Optional.empty();
    }
    int[] missingOfTotal = new int[2];
    try {
      check(dir, JSON.readTree(index.toFile()), missingOfTotal, 0);
    } catch (IOException | RuntimeException e) {
      return Optional.of("cannot read its index " + index + ": " + e.getMessage());
    }
    if (missingOfTotal[0] == 0) {
      return Optional.empty();
    }
    return Optional.of(
        missingOfTotal[0]
            + " of "
            + missingOfTotal[1]
            + " blobs its index names are missing from "
            + dir.resolve("blobs")
            + " (deleted or evicted)");
  }

  /** Counts the blobs an index or manifest names, and those missing; follows nested indexes. */
  private static void check(Path dir, JsonNode node, int[] missingOfTotal, int depth)
      throws IOException {
    if (depth > 3) {
      return; // a cache index is one or two levels deep
    }
    for (String field : new String[] {"manifests", "layers"}) {
      for (JsonNode descriptor : node.path(field)) {
        Path blob = blob(dir, descriptor);
        missingOfTotal[1]++;
        if (!Files.isRegularFile(blob)) {
          missingOfTotal[0]++;
        } else if (field.equals("manifests")) {
          check(dir, JSON.readTree(blob.toFile()), missingOfTotal, depth + 1);
        }
      }
    }
    JsonNode config = node.path("config");
    if (config.isObject()) {
      missingOfTotal[1]++;
      if (!Files.isRegularFile(blob(dir, config))) {
        missingOfTotal[0]++;
      }
    }
  }

  private static Path blob(Path dir, JsonNode descriptor) throws IOException {
    String digest = descriptor.path("digest").asText("");
    int colon = digest.indexOf(':');
    String algorithm = colon < 0 ? "" : digest.substring(0, colon);
    String hex = digest.substring(colon + 1);
    if (!algorithm.matches("[a-z0-9]+") || !hex.matches("[0-9a-f]+")) {
      throw new IOException("not a digest: '" + digest + "'");
    }
    return dir.resolve("blobs").resolve(algorithm).resolve(hex);
  }
}
