package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.gha.GhaSuggestions.Problem;
import io.github.cachedimage.core.spec.CacheSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a {@code type=gha} entry can reach GitHub's cache service in this environment, as buildx
 * ({@code addGithubToken}) and BuildKit ({@code getConfig}) would decide: token, URLs, service
 * version.
 */
final class GhaEnvironment {
  private GhaEnvironment() {}

  /** What buildx and BuildKit would make of one entry in this environment. */
  static List<Problem> problems(CacheSpec spec, Map<String, String> env) {
    List<Problem> problems = new ArrayList<>();
    String token = firstPresent(spec.attribute("token"), env.get(GhaSuggestions.TOKEN));
    if (token == null) {
      problems.add(GhaSuggestions.tokenMissing());
    }
    String envV2 = env.get(GhaSuggestions.SERVICE_V2);
    String version = trimmed(spec.attribute("version"));
    if (version == null && parseGoBool(envV2)) {
      version = "2"; // buildx's addGithubToken
    }
    String urlV2 = spec.attribute("url_v2");
    if (!present(urlV2) && "2".equals(version)) {
      urlV2 = env.get(GhaSuggestions.RESULTS_URL);
    }
    String url =
        firstPresent(
            spec.attribute("url"),
            env.get(GhaSuggestions.CACHE_URL),
            env.get(GhaSuggestions.RESULTS_URL));
    if (!present(url) && !present(urlV2)) {
      problems.add(GhaSuggestions.urlMissing());
      return problems;
    }
    // BuildKit's getConfig: url_v2 (unless version=1) means v2; else version=2 means v2 on url;
    // no version means v2 only for GitHub's results-receiver host.
    boolean v2;
    if (!"1".equals(version) && present(urlV2)) {
      v2 = true;
    } else if (version == null) {
      v2 = url.contains(GhaPreflight.RESULTS_RECEIVER);
    } else {
      v2 = "2".equals(version);
    }
    if ("1".equals(version)) {
      problems.add(GhaSuggestions.v1Requested());
    } else if (!v2) {
      problems.add(GhaSuggestions.v2NotSelected(envV2));
    } else if (!present(urlV2)
        && !present(spec.attribute("url"))
        && !present(env.get(GhaSuggestions.RESULTS_URL))
        && !url.contains(GhaPreflight.RESULTS_RECEIVER)) {
      // v2 spoken to the v1 service's ACTIONS_CACHE_URL: cannot work on GitHub
      problems.add(GhaSuggestions.resultsUrlMissingForV2());
    }
    return problems;
  }

  /** Go's {@code strconv.ParseBool} being true: exactly 1, t, T, TRUE, true, True. */
  static boolean parseGoBool(String value) {
    return value != null
        && switch (value) {
          case "1", "t", "T", "TRUE", "true", "True" -> true;
          default -> false;
        };
  }

  static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static String trimmed(String s) {
    return present(s) ? s.trim() : null;
  }

  private static String firstPresent(String... values) {
    for (String v : values) {
      if (present(v)) {
        return v;
      }
    }
    return null;
  }
}
