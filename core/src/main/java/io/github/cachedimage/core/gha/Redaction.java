package io.github.cachedimage.core.gha;

import io.github.cachedimage.core.spec.CacheSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps cache credentials out of logs, exception messages, records and summaries: the values of
 * {@code token=} and {@code ghtoken=} attributes, the signature of a signed URL ({@code ?sig=}),
 * and the runner's token itself wherever it shows up (an error line of buildx quoting an attribute,
 * say).
 *
 * <pre>{@code
 * Redaction.redact("--cache-to type=gha,token=eyJ...,scope=app") // "--cache-to type=gha,token=***,scope=app"
 * }</pre>
 */
public final class Redaction {

  /** What a secret value is replaced with. */
  public static final String MASK = "***";

  /** Cache attributes whose values are credentials. */
  public static final Set<String> SECRET_ATTRIBUTES = Set.of("token", "ghtoken");

  /** Environment variables whose values are credentials, wherever they appear. */
  public static final List<String> SECRET_VARIABLES =
      List.of("ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "GITHUB_TOKEN");

  // A quoted CSV field ("token=a,b") first, then a plain one up to the next comma or space.
  private static final Pattern QUOTED =
      Pattern.compile("\"((?:gh)?token=)((?:[^\"]|\"\")*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern PLAIN =
      Pattern.compile("\\b((?:gh)?token=)(?!\\*\\*\\*)([^,\"\\s]+)", Pattern.CASE_INSENSITIVE);

  // A signed URL's signature (the cache service's blob URLs): a short-lived credential.
  private static final Pattern SIGNATURE = Pattern.compile("([?&]sig=)(?!\\*\\*\\*)[^&\\s\"]+");

  /** Values shorter than this are not searched for as literals (they would mask ordinary text). */
  private static final int MIN_LITERAL = 8;

  private Redaction() {}

  /** The text with every {@code token=} / {@code ghtoken=} value masked. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String once =
        QUOTED
            .matcher(text)
            .replaceAll(m -> Matcher.quoteReplacement("\"" + m.group(1) + MASK + "\""));
    String twice = PLAIN.matcher(once).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    return SIGNATURE.matcher(twice).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
  }

  /**
   * The text with attribute values masked and with the values of {@link #SECRET_VARIABLES} from
   * this environment masked wherever they appear.
   */
  public static String redact(String text, Map<String, String> env) {
    String out = redact(text);
    if (out == null || env == null) {
      return out;
    }
    for (String name : SECRET_VARIABLES) {
      String value = env.get(name);
      if (value != null && value.length() >= MIN_LITERAL) {
        out = out.replace(value, MASK);
      }
    }
    return out;
  }

  /** The spec with its secret attributes' values masked (the same spec if it has none). */
  public static CacheSpec redact(CacheSpec spec) {
    if (spec.attributes().keySet().stream().noneMatch(SECRET_ATTRIBUTES::contains)) {
      return spec;
    }
    Map<String, String> attributes = new LinkedHashMap<>(spec.attributes());
    attributes.replaceAll((k, v) -> SECRET_ATTRIBUTES.contains(k) ? MASK : v);
    return new CacheSpec(spec.type(), attributes);
  }

  /** Every spec of the list redacted. */
  public static List<CacheSpec> redact(List<CacheSpec> specs) {
    return specs.stream().map(Redaction::redact).toList();
  }

  /** The spec without its secret attributes (the same spec if it has none). */
  public static CacheSpec withoutSecrets(CacheSpec spec) {
    if (spec.attributes().keySet().stream().noneMatch(SECRET_ATTRIBUTES::contains)) {
      return spec;
    }
    Map<String, String> attributes = new LinkedHashMap<>(spec.attributes());
    attributes.keySet().removeAll(SECRET_ATTRIBUTES);
    return new CacheSpec(spec.type(), attributes);
  }

  /** Every spec of the list without its secret attributes. */
  public static List<CacheSpec> withoutSecrets(List<CacheSpec> specs) {
    return specs.stream().map(Redaction::withoutSecrets).toList();
  }

  /** The command line with secret attribute values masked, argument by argument. */
  public static List<String> redactCommand(List<String> command) {
    return command.stream().map(Redaction::redact).toList();
  }
}
