package io.github.cachedimage.core.engine;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.registry.Credentials;
import io.github.cachedimage.core.registry.ImageReference;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ImageTransfer} by plain HTTP over the engine's Unix socket ({@code POST /images/create},
 * {@code /images/{name}/push}, {@code /images/{id}/tag}), with nothing but the JDK: on a fresh
 * runner the pull is the whole job, and a docker-java client would first cost it a second or more
 * of class loading. Credentials go in the {@code X-Registry-Auth} header only.
 */
public final class UnixSocketTransfer implements ImageTransfer {
  private static final Pattern ERROR =
      Pattern.compile(
          "\"errorDetail\"\\s*:\\s*\\{[^}]*\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern DIGEST =
      Pattern.compile("(?:\"Digest\"\\s*:\\s*\"|digest: )(sha256:[0-9a-f]{64})");

  private final UnixSocketImages engine;

  public UnixSocketTransfer(Path socket) {
    this.engine = new UnixSocketImages(socket, Duration.ofMinutes(30));
  }

  @Override
  public String pull(String reference, Optional<Credentials> credentials) {
    ImageReference ref = ImageReference.parse(reference);
    String name = ref.name();
    stream(
        "pulling " + reference,
        "/images/create?fromImage=" + encode(name) + "&tag=" + encode(ref.tag()),
        auth(ref, credentials));
    return engine
        .findImage(name + ":" + ref.tag())
        .orElseThrow(
            () ->
                new CachedImageException(
                    "pulled " + reference + " but the engine has no such image"));
  }

  @Override
  public void tag(String imageId, String repository, String tag) {
    UnixSocketImages.Response r =
        send(
            "tagging " + imageId,
            "/images/" + imageId + "/tag?repo=" + encode(repository) + "&tag=" + encode(tag),
            "");
    if (r.status() != 201 && r.status() != 200) {
      throw new CachedImageException(
          "tagging " + imageId + " as " + repository + ":" + tag + " failed: " + r.body().strip());
    }
  }

  @Override
  public String push(String reference, Optional<Credentials> credentials) {
    ImageReference ref = ImageReference.parse(reference);
    String body =
        stream(
            "pushing " + reference,
            "/images/" + ref.name() + "/push?tag=" + encode(ref.tag()),
            auth(ref, credentials));
    Matcher m = DIGEST.matcher(body);
    String digest = null;
    while (m.find()) {
      digest = m.group(1); // the last one: the pushed manifest's
    }
    if (digest == null) {
      throw new CachedImageException("pushing " + reference + ": the engine reported no digest");
    }
    return digest;
  }

  /** A streamed operation: the answer's first error, if any, fails it. */
  private String stream(String doing, String path, String auth) {
    UnixSocketImages.Response r = send(doing, path, auth);
    Matcher error = ERROR.matcher(r.body());
    if (r.status() != 200 || error.find()) {
      String message = r.status() != 200 ? r.body().strip() : error.group(1).replace("\\\"", "\"");
      throw new CachedImageException(doing + " failed: " + message);
    }
    return r.body();
  }

  private UnixSocketImages.Response send(String doing, String path, String headers) {
    return engine.call("POST", path, headers, doing);
  }

  /** The {@code X-Registry-Auth} header line: base64url JSON, {@code {}} when anonymous. */
  static String auth(ImageReference ref, Optional<Credentials> credentials) {
    String json =
        credentials
            .map(
                c ->
                    "{\"username\":\""
                        + json(c.username())
                        + "\",\"password\":\""
                        + json(c.secret())
                        + "\",\"serveraddress\":\""
                        + json(ref.registry())
                        + "\"}")
            .orElse("{}");
    return "X-Registry-Auth: "
        + Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
        + "\r\n";
  }

  private static String json(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
