package io.github.cachedimage.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The parts of buildx's {@code --metadata-file} we use. With the containerd image store the
 * engine's image ID is the index/manifest digest ({@code containerimage.digest}); with the classic
 * store it is the config digest ({@code containerimage.config.digest}).
 *
 * @param digest {@code containerimage.digest} or null
 * @param configDigest {@code containerimage.config.digest} or null
 */
public record BuildMetadata(String digest, String configDigest) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static BuildMetadata parse(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    return new BuildMetadata(
        text(root, "containerimage.digest"), text(root, "containerimage.config.digest"));
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root == null ? null : root.get(field);
    return node == null || !node.isTextual() ? null : node.asText();
  }

  /**
   * Candidate image IDs, most likely first: the digest (containerd store), then the config digest.
   */
  public java.util.List<String> imageIdCandidates() {
    java.util.List<String> ids = new java.util.ArrayList<>();
    if (digest != null) {
      ids.add(digest);
    }
    if (configDigest != null) {
      ids.add(configDigest);
    }
    return ids;
  }
}
