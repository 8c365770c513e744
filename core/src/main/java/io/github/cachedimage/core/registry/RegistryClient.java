package io.github.cachedimage.core.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.registry.RegistryException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a registry's HTTP API (the OCI distribution spec) about manifests, with the two ways
 * registries authenticate: {@code Basic} (a plain registry with htpasswd) and the {@code Bearer}
 * token flow (Docker Hub, GHCR, most clouds). Secrets go into {@code Authorization} headers only;
 * messages say whose credentials were used, never what they are.
 */
public final class RegistryClient {
  /** Every manifest type an image may have, so the registry answers with its own digest. */
  static final String MANIFEST_TYPES =
      String.join(
          ", ",
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.docker.distribution.manifest.v2+json");

  private static final Pattern PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param timeout for connecting and for each request
   */
  public RegistryClient(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /**
   * The digest of the manifest a reference names, or empty when the registry has no such tag.
   *
   * @throws RegistryException {@link Kind#UNREACHABLE} when the registry cannot be reached, {@link
   *     Kind#UNAUTHORIZED} when it refuses the credentials (or wants some and none were given),
   *     {@link Kind#FAILED} for any other answer
   */
  public Optional<String> manifestDigest(
      ImageReference reference, Optional<Credentials> credentials) {
    URI manifest =
        URI.create(
            reference.apiBase()
                + "/v2/"
                + reference.repository()
                + "/manifests/"
                + reference.tagOrDigest());
    String authorization = null;
    HttpResponse<Void> response = send(reference, manifestRequest(manifest, "HEAD", null));
    if (response.statusCode() == 401) {
      authorization = authorize(reference, response, credentials);
      response = send(reference, manifestRequest(manifest, "HEAD", authorization));
    }
    int status = response.statusCode();
    if (status == 200) {
      Optional<String> digest = response.headers().firstValue("Docker-Content-Digest");
      return Optional.of(
          digest.isPresent() ? digest.get() : digestOfBody(reference, manifest, authorization));
    }
    if (status == 404) {
      return Optional.empty();
    }
    if (status == 401 || status == 403) {
      throw refused(reference, credentials);
    }
    throw new RegistryException(
        Kind.FAILED,
        "registry "
            + reference.registry()
            + " answered HTTP "
            + status
            + " to HEAD "
            + manifest
            + "; expected 200 or 404");
  }

  /** The {@code Authorization} header a 401's challenge asks for. */
  private String authorize(
      ImageReference reference, HttpResponse<?> challenged, Optional<Credentials> credentials) {
    String challenge =
        challenged.headers().allValues("WWW-Authenticate").stream()
            .filter(c -> scheme(c).equals("basic") || scheme(c).equals("bearer"))
            .findFirst()
            .orElseThrow(
                () ->
                    new RegistryException(
                        Kind.FAILED,
                        "registry "
                            + reference.registry()
                            + " answered HTTP 401 without a Basic or Bearer challenge"
                            + " (WWW-Authenticate: "
                            + challenged.headers().firstValue("WWW-Authenticate").orElse("none")
                            + ")"));
    if (scheme(challenge).equals("basic")) {
      return basic(credentials.orElseThrow(() -> refused(reference, credentials)));
    }
    return "Bearer " + token(reference, parameters(challenge), credentials);
  }

  private String token(
      ImageReference reference, Map<String, String> challenge, Optional<Credentials> credentials) {
    String realm = challenge.get("realm");
    if (realm == null || realm.isEmpty()) {
      throw new RegistryException(
          Kind.FAILED,
          "registry " + reference.registry() + " sent a Bearer challenge without a realm");
    }
    StringBuilder query = new StringBuilder();
    if (challenge.containsKey("service")) {
      query.append("service=").append(encode(challenge.get("service")));
    }
    // the scope a HEAD on a manifest needs, also when the challenge does not say it
    String scope =
        challenge.getOrDefault("scope", "repository:" + reference.repository() + ":pull");
    query.append(query.length() == 0 ? "" : "&").append("scope=").append(encode(scope));
    URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    credentials.ifPresent(c -> request.header("Authorization", basic(c)));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(reference, uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(reference);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw refused(reference, credentials);
    }
    if (response.statusCode() != 200) {
      throw new RegistryException(
          Kind.FAILED,
          "token service "
              + realm
              + " of registry "
              + reference.registry()
              + " answered HTTP "
              + response.statusCode());
    }
    try {
      JsonNode body = Json.MAPPER.readTree(response.body());
      for (String field : new String[] {"token", "access_token"}) {
        JsonNode token = body.get(field);
        if (token != null && token.isTextual() && !token.asText().isEmpty()) {
          return token.asText();
        }
      }
    } catch (JsonProcessingException e) {
      // fall through: the body is not quoted, it may hold a token
    }
    throw new RegistryException(
        Kind.FAILED,
        "token service "
            + realm
            + " of registry "
            + reference.registry()
            + " answered without a \"token\" or \"access_token\" in JSON");
  }

  /** Registries that leave out Docker-Content-Digest: the digest is the body's sha256. */
  private String digestOfBody(ImageReference reference, URI manifest, String authorization) {
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              manifestRequest(manifest, "GET", authorization),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unreachable(reference, manifest, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(reference);
    }
    if (response.statusCode() != 200) {
      throw new RegistryException(
          Kind.FAILED,
          "registry "
              + reference.registry()
              + " answered HTTP "
              + response.statusCode()
              + " to GET "
              + manifest
              + " after HEAD found it");
    }
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(response.body()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private HttpRequest manifestRequest(URI manifest, String method, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(manifest)
            .timeout(timeout)
            .header("Accept", MANIFEST_TYPES)
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  private HttpResponse<Void> send(ImageReference reference, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw unreachable(reference, request.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(reference);
    }
  }

  private static RegistryException refused(
      ImageReference reference, Optional<Credentials> credentials) {
    return new RegistryException(
        Kind.UNAUTHORIZED,
        HelpfulSuggestions.registryRefused(
            reference.registry(),
            reference.repository(),
            credentials
                .map(c -> "the credentials of user '" + c.username() + "' from " + c.source())
                .orElse("no credentials (none were found, so it was asked anonymously)")));
  }

  private static RegistryException unreachable(
      ImageReference reference, URI uri, IOException cause) {
    String detail = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return new RegistryException(
        Kind.UNREACHABLE,
        "cannot reach registry "
            + reference.registry()
            + " at "
            + uri.getScheme()
            + "://"
            + uri.getRawAuthority()
            + " ("
            + cause.getClass().getSimpleName()
            + detail
            + "); check the address, the network and that the registry is up",
        cause);
  }

  private static RegistryException interrupted(ImageReference reference) {
    return new RegistryException(
        Kind.UNREACHABLE, "interrupted while asking registry " + reference.registry());
  }

  private static String basic(Credentials credentials) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString(
                (credentials.username() + ":" + credentials.secret())
                    .getBytes(StandardCharsets.UTF_8));
  }

  private static String scheme(String challenge) {
    int space = challenge.indexOf(' ');
    return (space < 0 ? challenge : challenge.substring(0, space)).toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> parameters(String challenge) {
    Map<String, String> parameters = new HashMap<>();
    Matcher m = PARAMETER.matcher(challenge);
    while (m.find()) {
      parameters.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    }
    return parameters;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * Created on first use: these classes are loaded on every build goal run, the up-to-date path
   * included, and a first ObjectMapper costs hundreds of milliseconds of class loading there.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
