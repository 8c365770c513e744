package io.github.cachedimage.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link DockerImages} by plain HTTP/1.1 over the engine's Unix socket ({@code GET
 * /images/{ref}/history}), with nothing but the JDK. The up-to-date check runs once per JVM, so it
 * is always cold: a docker-java client costs a second or more of class loading before its first
 * call on a small machine, this a few milliseconds. Used whenever the resolved {@link
 * DockerEndpoint} is a local socket; see {@link #forEndpoint}.
 */
public final class UnixSocketImages implements DockerImages {
  private static final Pattern ID = Pattern.compile("\"Id\"\\s*:\\s*\"([^\"]+)\"");
  // /info's own ID is its first field; later "ID"s belong to nested commits (containerd, runc)
  private static final Pattern TOP_ID = Pattern.compile("\"ID\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern SERVER_VERSION =
      Pattern.compile("\"ServerVersion\"\\s*:\\s*\"([^\"]*)\"");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String CONTAINERD_SNAPSHOTTER = "io.containerd.snapshotter";

  private final Path socket;
  private final Duration timeout;

  public UnixSocketImages(Path socket) {
    this(socket, TIMEOUT);
  }

  UnixSocketImages(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  /** The engine's socket when the endpoint is a local Unix socket that exists, else empty. */
  public static Optional<UnixSocketImages> forEndpoint(DockerEndpoint endpoint) {
    return endpoint.unixSocket().filter(Files::exists).map(UnixSocketImages::new);
  }

  @Override
  public boolean isReachable() {
    try {
      return get("/_ping").status == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Asks for the image's history, not its inspection: the same lookup of the image, without the
   * size computation that makes inspecting cost ~15-30 ms with the containerd image store (5-15 ms
   * measured here). The history's first entry, the image itself, carries the image ID (with either
   * image store); the layers under it say {@code <missing>} or their own IDs after it.
   */
  @Override
  public Optional<String> findImage(String imageIdOrRef) {
    Response r = history(imageIdOrRef);
    if (r == null) {
      return Optional.empty();
    }
    Matcher m = ID.matcher(r.body);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  @Override
  public boolean hasImage(String imageId) {
    return history(imageId) != null;
  }

  @Override
  public EngineInfo engine() {
    String info = engineRequest("/info").body;
    String version = engineRequest("/version").body;
    return new EngineInfo(
        firstString(TOP_ID, info),
        "unix://" + socket,
        firstString(SERVER_VERSION, info),
        version.contains("\"Podman Engine\""),
        info.contains(CONTAINERD_SNAPSHOTTER));
  }

  /**
   * {@code GET /images/json} filtered by {@code reference=<repository>:<pattern>}; the engine
   * matches the familiar name, and the answer is checked again here (repository and pattern).
   */
  @Override
  public List<ImageTag> tags(String repository, String tagPattern) {
    TagFilter filter = new TagFilter(repository, tagPattern);
    String filters = "{\"reference\":[\"" + filter.enginePattern() + "\"]}";
    Response r =
        engineRequest("/images/json?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8));
    List<ImageTag> out = new ArrayList<>();
    for (JsonNode image : json(r, "/images/json")) {
      String id = image.path("Id").asText("");
      Instant created = Instant.ofEpochSecond(image.path("Created").asLong(0));
      for (JsonNode tag : image.path("RepoTags")) {
        if (filter.matches(tag.asText())) {
          out.add(new ImageTag(tag.asText(), id, created));
        }
      }
    }
    return out;
  }

  /** {@code GET /containers/json?all=1}: the image ID of each container, stopped ones too. */
  @Override
  public Set<String> containerImageIds() {
    Set<String> ids = new HashSet<>();
    for (JsonNode container : json(engineRequest("/containers/json?all=1"), "/containers/json")) {
      String id = container.path("ImageID").asText("");
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** {@code DELETE /images/<reference>} without {@code force}; a tag already gone is no error. */
  @Override
  public void untag(String reference) {
    Response r = call("DELETE", "/images/" + reference + "?force=false&noprune=false", "", "");
    if (r.status != 200 && r.status != 404) {
      throw new CachedImageException(
          "the Docker engine answered "
              + r.status
              + " to removing the tag "
              + reference
              + ": "
              + r.body.strip());
    }
  }

  private static JsonNode json(Response r, String what) {
    try {
      return Json.MAPPER.readTree(r.body);
    } catch (IOException e) {
      throw new CachedImageException("the Docker engine's answer to " + what + " is not JSON", e);
    }
  }

  /**
   * Created on first use: not on the up-to-date path, where an ObjectMapper costs class loading.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private Response engineRequest(String path) {
    Response r = call("GET", path, "", "");
    if (r.status != 200) {
      throw new CachedImageException(
          "the Docker engine answered " + r.status + " to GET " + path + ": " + r.body);
    }
    return r;
  }

  private static String firstString(Pattern pattern, String json) {
    Matcher m = pattern.matcher(json);
    return m.find() ? m.group(1) : "";
  }

  private Response history(String image) {
    return imageRequest(image, "history", "asking for the history of");
  }

  /** {@code GET /images/{image}/{what}}: the answer, or {@code null} for no such image. */
  private Response imageRequest(String image, String what, String doing) {
    Response r = call("GET", "/images/" + image + "/" + what, "", "");
    if (r.status == 404) {
      return null;
    }
    if (r.status != 200) {
      throw new CachedImageException(
          "the Docker engine answered " + r.status + " to " + doing + " " + image + ": " + r.body);
    }
    return r;
  }

  record Response(int status, String body) {}

  private Response get(String path) throws IOException {
    return request("GET", path, "");
  }

  /**
   * As {@link #request}, an engine that cannot be reached being {@link DockerUnavailableException}
   * (naming the socket and, when given, what was being done).
   */
  Response call(String method, String path, String headers, String doing) {
    try {
      return request(method, path, headers);
    } catch (IOException e) {
      throw new DockerUnavailableException(
          HelpfulSuggestions.dockerUnavailable(
              socket + ": " + (doing.isEmpty() ? "" : doing + ": ") + e.getMessage()),
          e);
    }
  }

  /**
   * One request with extra header lines ({@code "Name: value\r\n"} each), the whole answer read
   * (the engine streams pulls and pushes until they end).
   */
  Response request(String method, String path, String headers) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      // Blocking socket channels have no read timeout: a watchdog closes the channel instead.
      // A plain thread, not an executor: this runs in the cold up-to-date check.
      Watchdog watchdog = new Watchdog(channel, timeout.toMillis());
      watchdog.start();
      try {
        return exchange(channel, method, path, headers);
      } catch (AsynchronousCloseException e) {
        if (watchdog.fired) {
          throw new IOException("no answer within " + timeout.toMillis() + " ms", e);
        }
        throw e;
      } finally {
        watchdog.interrupt();
      }
    }
  }

  private static final class Watchdog extends Thread {
    private final SocketChannel channel;
    private final long millis;
    volatile boolean fired;

    Watchdog(SocketChannel channel, long millis) {
      super("cached-image-docker-socket-watchdog");
      setDaemon(true);
      this.channel = channel;
      this.millis = millis;
    }

    @Override
    public void run() {
      try {
        Thread.sleep(millis);
        fired = true;
        channel.close();
      } catch (InterruptedException | IOException e) {
        // answered in time (interrupted), or the channel is closed already
      }
    }
  }

  private Response exchange(SocketChannel channel, String method, String path, String headers)
      throws IOException {
    channel.connect(UnixDomainSocketAddress.of(socket));
    String request =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: cached-image\r\nConnection: close\r\n"
            + (method.equals("GET") ? "" : "Content-Length: 0\r\n")
            + headers
            + "\r\n";
    ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    while (out.hasRemaining()) {
      channel.write(out);
    }
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    while (channel.read(in) >= 0) {
      in.flip();
      received.write(in.array(), 0, in.limit());
      in.clear();
    }
    return parse(received.toByteArray());
  }

  static Response parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int headerEnd = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.") || headerEnd < 0) {
      throw new IOException("not an HTTP response");
    }
    String[] statusLine = text.substring(0, text.indexOf("\r\n")).split(" ");
    int status = Integer.parseInt(statusLine[1]);
    String headers = text.substring(0, headerEnd).toLowerCase(java.util.Locale.ROOT);
    String body = text.substring(headerEnd + 4);
    if (headers.contains("transfer-encoding: chunked")) {
      StringBuilder decoded = new StringBuilder();
      int i = 0;
      while (i < body.length()) {
        int lineEnd = body.indexOf("\r\n", i);
        if (lineEnd < 0) {
          break;
        }
        int size = Integer.parseInt(body.substring(i, lineEnd).split(";")[0].trim(), 16);
        if (size == 0) {
          break;
        }
        decoded.append(body, lineEnd + 2, Math.min(body.length(), lineEnd + 2 + size));
        i = lineEnd + 2 + size + 2;
      }
      body = decoded.toString();
    }
    return new Response(
        status, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
  }
}
