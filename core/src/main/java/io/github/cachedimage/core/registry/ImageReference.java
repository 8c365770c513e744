package io.github.cachedimage.core.registry;

import java.util.regex.Pattern;

/**
 * An image in a registry, normalised as docker normalises names: {@code greeter} is {@code
 * docker.io/library/greeter:latest}, {@code ghcr.io/acme/greeter@sha256:...} names a digest.
 *
 * @param registry the registry host, with its port if it has one ({@code docker.io}, {@code
 *     ghcr.io}, {@code 127.0.0.1:5000})
 * @param repository the path in the registry ({@code library/busybox}, {@code acme/greeter})
 * @param tag the tag, or {@code null} when only a digest is given
 * @param digest {@code sha256:...}, or {@code null}
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";

  // docker's reference grammar (distribution/reference): lower-case path components joined by
  // '/', tags of word characters, dots and dashes, digests as algorithm:hex
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("\\w[\\w.-]{0,127}");
  private static final Pattern DIGEST =
      Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
  private static final Pattern REGISTRY =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
              + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");

  /** Validates every part; a reference needs a tag, a digest or both. */
  public ImageReference {
    validate(show(registry, repository, tag, digest), registry, repository, tag, digest);
  }

  private static void validate(
      String shown, String registry, String repository, String tag, String digest) {
    if (registry == null || !REGISTRY.matcher(registry).matches()) {
      throw new InvalidImageReferenceException(
          shown, "the registry must be a host name or IP address with an optional :port");
    }
    if (repository == null || repository.isEmpty()) {
      throw new InvalidImageReferenceException(shown, "the repository name is empty");
    }
    for (String component : repository.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new InvalidImageReferenceException(
            shown,
            "repository path components must be lower-case letters and digits, separated by"
                + " '.', '_', '__' or dashes, and may not be empty ('"
                + component
                + "' is not)");
      }
    }
    if (repository.length() > 255) {
      throw new InvalidImageReferenceException(
          shown, "the repository name is longer than 255 characters");
    }
    if (tag == null && digest == null) {
      throw new InvalidImageReferenceException(shown, "it needs a tag or a digest");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new InvalidImageReferenceException(
          shown,
          "a tag is 1 to 128 letters, digits, '_', '.' and '-', and does not start with '.' or"
              + " '-'");
    }
    if (digest != null
        && (!DIGEST.matcher(digest).matches()
            || (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches()))) {
      throw new InvalidImageReferenceException(
          shown, "a digest is algorithm:hex, e.g. sha256: and 64 lower-case hex digits");
    }
  }

  /**
   * Parses a reference as {@code docker pull} does: the first path segment is a registry when it
   * contains '.' or ':' or is {@code localhost}, otherwise the registry is Docker Hub, where
   * single-segment names are in {@code library/}; no tag and no digest means {@code latest}.
   *
   * @throws InvalidImageReferenceException naming the reference and the rule it breaks
   */
  public static ImageReference parse(String reference) {
    if (reference == null || reference.isBlank()) {
      throw new InvalidImageReferenceException(
          String.valueOf(reference), "it is empty; expected e.g. ghcr.io/acme/greeter:1.0");
    }
    if (!reference.equals(reference.strip())
        || reference.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidImageReferenceException(reference, "it contains whitespace");
    }
    String rest = reference;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (digest.isEmpty()) {
        throw new InvalidImageReferenceException(reference, "nothing follows '@'");
      }
    }
    String tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (tag.isEmpty()) {
        throw new InvalidImageReferenceException(reference, "nothing follows ':' (the tag)");
      }
    }
    String registry = DOCKER_HUB;
    String repository = rest;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        repository = rest.substring(slash + 1);
      }
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !repository.isEmpty() && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    if (!repository.equals(repository.toLowerCase(java.util.Locale.ROOT))) {
      throw new InvalidImageReferenceException(
          reference, "repository names must be lower-case ('" + repository + "' is not)");
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    // errors name the reference as the user wrote it, not the normalised one
    validate(reference, registry, repository, tag, digest);
    return new ImageReference(registry, repository, tag, digest);
  }

  /** {@code registry/repository}: the name the engine pulls, pushes and tags by. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The same repository with another tag and no digest. */
  public ImageReference withTag(String tag) {
    return new ImageReference(registry, repository, tag, null);
  }

  /**
   * Where the registry's HTTP API is: plain HTTP on loopback (as the engine accepts it there),
   * HTTPS elsewhere; Docker Hub's API is at {@code registry-1.docker.io}.
   */
  public String apiBase() {
    if (registry.equals(DOCKER_HUB)) {
      return "https://registry-1.docker.io";
    }
    return (isLoopback() ? "http://" : "https://") + registry;
  }

  /** The tag or, when there is one, the digest: what a manifest request names. */
  public String tagOrDigest() {
    return digest != null ? digest : tag;
  }

  private boolean isLoopback() {
    String host;
    if (registry.startsWith("[")) {
      host = registry.substring(0, registry.indexOf(']') + 1);
    } else {
      int colon = registry.indexOf(':');
      host = colon < 0 ? registry : registry.substring(0, colon);
    }
    return host.equals("localhost")
        || host.equals("[::1]")
        || host.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
  }

  /** {@code registry/repository:tag}, {@code registry/repository@digest} or both. */
  @Override
  public String toString() {
    return show(registry, repository, tag, digest);
  }

  private static String show(String registry, String repository, String tag, String digest) {
    return registry
        + "/"
        + repository
        + (tag == null ? "" : ":" + tag)
        + (digest == null ? "" : "@" + digest);
  }
}
