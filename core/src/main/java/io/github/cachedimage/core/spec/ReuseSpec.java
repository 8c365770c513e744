package io.github.cachedimage.core.spec;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Fingerprint-keyed reuse through a registry: before building, pull {@code <repository>:fp-<key>}
 * if a runner built the same inputs earlier; after building, push it (when {@link #push} allows).
 * Not part of any fingerprint: it changes where an image comes from, never what it contains.
 *
 * @param repository a registry repository, e.g. {@code ghcr.io/acme/greeter}
 * @param push when to push a build: {@value #ALWAYS}, {@value #NEVER} or {@value
 *     #OUTSIDE_PULL_REQUESTS} (the default: not for pull-request events on GitHub Actions, always
 *     elsewhere)
 * @param strict fail instead of warning and building when the registry cannot be asked, refuses the
 *     credentials, or a push fails
 */
public record ReuseSpec(String repository, String push, boolean strict) {
  public static final String ALWAYS = "always";
  public static final String NEVER = "never";
  public static final String OUTSIDE_PULL_REQUESTS = "outside-pull-requests";

  private static final Pattern REPOSITORY =
      Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+");

  public ReuseSpec {
    if (repository == null || repository.isBlank()) {
      throw new InvalidBuildSpecException(
          "imageRepository", "imageRepository is blank; expected e.g. ghcr.io/acme/greeter");
    }
    repository = repository.trim();
    if (!REPOSITORY.matcher(repository).matches()) {
      throw new InvalidBuildSpecException(
          "imageRepository",
          "'"
              + repository
              + "' is not a registry repository without tag: expected <registry>/<path>, e.g."
              + " ghcr.io/acme/greeter or localhost:5000/greeter (lower case, no tag; cached-image"
              + " tags fp-<key> itself)");
    }
    push = push == null || push.isBlank() ? OUTSIDE_PULL_REQUESTS : push.trim();
    if (!push.equals(ALWAYS) && !push.equals(NEVER) && !push.equals(OUTSIDE_PULL_REQUESTS)) {
      throw new InvalidBuildSpecException(
          "reusePush",
          "'"
              + push
              + "' is not a push policy: use always, never or outside-pull-requests (the default)");
    }
  }

  /** Whether a build made in this environment is pushed for other runners. */
  public boolean pushes(Map<String, String> environment) {
    if (push.equals(NEVER)) {
      return false;
    }
    if (push.equals(ALWAYS) || !"true".equals(environment.get("GITHUB_ACTIONS"))) {
      return true;
    }
    String event = environment.getOrDefault("GITHUB_EVENT_NAME", "");
    return !event.equals("pull_request") && !event.equals("pull_request_target");
  }
}
