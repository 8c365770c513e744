package io.github.cachedimage.it.gha;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * In-process emulator of the GitHub Actions cache service v2 (Twirp JSON API plus the
 * Azure-blob-style signed URLs it hands out), faithful to what BuildKit's {@code type=gha} cache
 * (go-actions-cache) needs. See shared/docs/gha-cache-protocol.md for the facts each rule below
 * comes from.
 */
public final class GhaCacheEmulator implements AutoCloseable {
  /**
   * Same scope a push to main gets; the exporter hashes it into the index key, so keep it fixed.
   */
  public static final String TOKEN_SCOPE = "refs/heads/main";

  static final String TWIRP_PREFIX = "/twirp/github.actions.results.api.v1.CacheService/";
  private static final Set<String> TWIRP_METHODS =
      Set.of("GetCacheEntryDownloadURL", "CreateCacheEntry", "FinalizeCacheEntryUpload");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BLOCK_ID =
      Pattern.compile("<(Latest|Committed|Uncommitted)>([^<]*)</\\1>");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One request as received (headers case-insensitive), e.g. to assert the token is only ever in
   * Authorization.
   */
  public record RecordedRequest(
      String operation, String method, String uri, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String bodyText() {
      return new String(body, UTF_8);
    }
  }

  private static final class Entry {
    final long id;
    final String key;
    final String version;
    // Separate read/write signatures, like real SAS URLs: a download URL must not allow uploads.
    final String uploadSig = randomHex(16);
    final String downloadSig = randomHex(16);
    final Map<String, byte[]> blocks = new HashMap<>();
    byte[] content;
    boolean finalized;

    Entry(long id, String key, String version) {
      this.id = id;
      this.key = key;
      this.version = version;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final String baseUrl;
  private final String token = mintToken(TOKEN_SCOPE);
  // All state below is guarded by "this"; blob bodies are read before taking the lock.
  private final List<Entry> entries =
      new ArrayList<>(); // creation order = "newest first" order for lookups
  private final List<RecordedRequest> requests = new ArrayList<>();
  private long nextId = 1;
  private String faultMethod;
  private int faultStatus;
  private int faultsLeft;

  private GhaCacheEmulator() throws IOException {
    // Loopback only: the docker driver runs BuildKit inside dockerd on the host network, so it
    // reaches us.
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "gha-cache-emulator");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  public static GhaCacheEmulator start() throws IOException {
    GhaCacheEmulator emulator = new GhaCacheEmulator();
    emulator.server.start();
    return emulator;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Base URL with a trailing slash, as ACTIONS_RESULTS_URL has on a real runner. */
  public String url() {
    return baseUrl;
  }

  public String token() {
    return token;
  }

  /**
   * The variables a runner gives a JavaScript/container action; buildx turns them into gha cache
   * attributes.
   */
  public Map<String, String> runnerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ACTIONS_RUNTIME_TOKEN", token);
    env.put("ACTIONS_RUNTIME_URL", baseUrl);
    env.put("ACTIONS_CACHE_URL", baseUrl);
    env.put("ACTIONS_RESULTS_URL", baseUrl);
    env.put("ACTIONS_CACHE_SERVICE_V2", "True");
    return Collections.unmodifiableMap(env);
  }

  /**
   * Answer the next {@code times} Twirp calls (-1 = all until {@link #resetFaults()}) with {@code
   * status}.
   */
  public void failApiWith(int status, int times) {
    failApiWith(null, status, times);
  }

  /** Like {@link #failApiWith(int, int)} but only for one Twirp method (null = any). */
  public synchronized void failApiWith(String twirpMethod, int status, int times) {
    faultMethod = twirpMethod;
    faultStatus = status;
    faultsLeft = times;
  }

  public synchronized void resetFaults() {
    faultsLeft = 0;
  }

  /** Keys of finalized entries, oldest first. */
  public synchronized List<String> committedKeys() {
    return entries.stream().filter(e -> e.finalized).map(e -> e.key).toList();
  }

  /** Finalized content of the newest entry with this exact key, or null. */
  public synchronized byte[] content(String key) {
    Entry e = newest(x -> x.finalized && x.key.equals(key));
    return e == null ? null : e.content.clone();
  }

  public synchronized long storedBytes() {
    return entries.stream().filter(e -> e.finalized).mapToLong(e -> e.content.length).sum();
  }

  /**
   * Simulates GitHub's eviction: drops every entry whose key starts with the prefix; returns how
   * many.
   */
  public synchronized int evict(String keyPrefix) {
    int before = entries.size();
    entries.removeIf(e -> e.key.startsWith(keyPrefix));
    return before - entries.size();
  }

  /**
   * Requests received for an operation: a Twirp method name, or PutBlob, PutBlock, PutBlockList,
   * GetBlob, Other. Counts every request, including rejected and fault-injected ones.
   */
  public synchronized int requestCount(String operation) {
    return (int) requests.stream().filter(r -> r.operation().equals(operation)).count();
  }

  public synchronized List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  // ---- HTTP dispatch ----

  private void handle(HttpExchange ex) throws IOException {
    try {
      byte[] body = ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getRawPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      boolean twirp = path.startsWith(TWIRP_PREFIX);
      String op =
          twirp
              ? path.substring(TWIRP_PREFIX.length())
              : path.startsWith("/blob/") ? blobOperation(ex.getRequestMethod(), query) : "Other";
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
      synchronized (this) {
        requests.add(
            new RecordedRequest(
                op, ex.getRequestMethod(), ex.getRequestURI().toString(), headers, body));
      }
      // GAC dereferences the request id of the final upload reply; sending it everywhere is
      // harmless.
      ex.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
      if (twirp) {
        twirp(ex, op, body);
      } else if (!op.equals("Other")) {
        blob(ex, op, path.substring("/blob/".length()), query, body);
      } else {
        send(
            ex,
            404,
            "text/plain",
            "no such route (this emulator speaks only cache v2)".getBytes(UTF_8));
      }
    } catch (RuntimeException e) {
      send(ex, 500, "text/plain", String.valueOf(e).getBytes(UTF_8));
    } finally {
      ex.close();
    }
  }

  private static String blobOperation(String method, Map<String, String> query) {
    if (method.equals("GET")) {
      return "GetBlob";
    }
    if (!method.equals("PUT")) {
      return "Other";
    }
    String comp = query.get("comp");
    return comp == null
        ? "PutBlob"
        : comp.equals("block") ? "PutBlock" : comp.equals("blocklist") ? "PutBlockList" : "Other";
  }

  // ---- Twirp API ----

  private void twirp(HttpExchange ex, String method, byte[] body) throws IOException {
    String contentType = ex.getRequestHeaders().getFirst("Content-Type");
    if (!ex.getRequestMethod().equals("POST")
        || !TWIRP_METHODS.contains(method)
        || contentType == null
        || !contentType.startsWith("application/json")) {
      twirpError(ex, 404, "bad_route", "no handler for " + ex.getRequestMethod() + " " + method);
      return;
    }
    Integer fault = takeFault(method);
    if (fault != null) {
      if (fault == 429) {
        ex.getResponseHeaders().set("Retry-After", "1"); // honoured by BuildKit >= 0.27
      }
      twirpError(
          ex,
          fault,
          fault == 429 ? "resource_exhausted" : fault >= 500 ? "internal" : "unknown",
          "injected fault");
      return;
    }
    if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      twirpError(ex, 401, "unauthenticated", "missing or wrong bearer token");
      return;
    }
    JsonNode req;
    try {
      req = JSON.readTree(body);
    } catch (IOException e) {
      twirpError(ex, 400, "malformed", "body is not JSON: " + e.getMessage());
      return;
    }
    String key = req == null ? "" : req.path("key").asText("");
    String version = req == null ? "" : req.path("version").asText("");
    if (key.isEmpty() || version.isEmpty()) {
      twirpError(ex, 400, "invalid_argument", "key and version are required");
      return;
    }
    switch (method) {
      case "GetCacheEntryDownloadURL" -> lookup(ex, key, version, req.path("restore_keys"));
      case "CreateCacheEntry" -> create(ex, key, version);
      default -> finalizeUpload(ex, key, version, req.get("size_bytes"));
    }
  }

  private void lookup(HttpExchange ex, String key, String version, JsonNode restoreKeys)
      throws IOException {
    Entry hit;
    synchronized (this) {
      // Exact key first, then each restore key as a prefix, newest entry first (creation order, not
      // lexical).
      hit = newest(e -> e.finalized && e.version.equals(version) && e.key.equals(key));
      for (int i = 0; hit == null && i < restoreKeys.size(); i++) {
        String prefix = restoreKeys.get(i).asText();
        hit = newest(e -> e.finalized && e.version.equals(version) && e.key.startsWith(prefix));
      }
    }
    ObjectNode reply = JSON.createObjectNode().put("ok", hit != null);
    reply.put("signed_download_url", hit == null ? "" : blobUrl(hit, hit.downloadSig, "r"));
    reply.put("matched_key", hit == null ? "" : hit.key);
    json(ex, reply);
  }

  private void create(HttpExchange ex, String key, String version) throws IOException {
    Entry entry;
    synchronized (this) {
      // A reservation locks key+version too; GAC maps "already_exists" to os.ErrExist and moves on.
      if (newest(e -> e.key.equals(key) && e.version.equals(version)) != null) {
        entry = null;
      } else {
        entry = new Entry(nextId++, key, version);
        entries.add(entry);
      }
    }
    if (entry == null) {
      twirpError(
          ex,
          409,
          "already_exists",
          "cache entry with the same key, version, and scope already exists");
      return;
    }
    json(
        ex,
        JSON.createObjectNode()
            .put("ok", true)
            .put("signed_upload_url", blobUrl(entry, entry.uploadSig, "cw")));
  }

  private void finalizeUpload(HttpExchange ex, String key, String version, JsonNode sizeNode)
      throws IOException {
    // proto3 JSON sends int64 as a string, GAC sends a number: accept both.
    Long size =
        sizeNode == null || sizeNode.isNull()
            ? null
            : sizeNode.isNumber()
                ? Long.valueOf(sizeNode.asLong())
                : Long.valueOf(sizeNode.asText());
    String error;
    long id = 0;
    synchronized (this) {
      Entry e = newest(x -> x.key.equals(key) && x.version.equals(version));
      if (e == null) {
        error = "not_found";
      } else if (e.finalized) {
        error = "already_exists";
      } else if (e.content == null) {
        error = "failed_precondition";
      } else if (size != null && size != e.content.length) {
        error = "invalid_argument";
      } else {
        error = null;
        e.finalized = true; // immutable from now on, and visible to lookups
        e.blocks.clear();
        id = e.id;
      }
    }
    if (error != null) {
      int status =
          Map.of("not_found", 404, "already_exists", 409, "failed_precondition", 412)
              .getOrDefault(error, 400);
      twirpError(
          ex,
          status,
          error,
          "cannot finalize " + key + ": " + error + " (size_bytes " + size + ")");
      return;
    }
    json(
        ex,
        JSON.createObjectNode()
            .put("ok", true)
            .put("entry_id", Long.toString(id))); // must be a string
  }

  private synchronized Integer takeFault(String method) {
    if (faultsLeft == 0 || (faultMethod != null && !faultMethod.equals(method))) {
      return null;
    }
    if (faultsLeft > 0) {
      faultsLeft--;
    }
    return faultStatus;
  }

  // ---- Azure-blob-style signed URLs ----

  private void blob(
      HttpExchange ex, String op, String idText, Map<String, String> query, byte[] body)
      throws IOException {
    Entry e;
    synchronized (this) {
      e = newest(x -> Long.toString(x.id).equals(idText));
    }
    boolean read = op.equals("GetBlob");
    // Unknown id or bad signature is 404, never 401/403: on those BuildKit 0.25 re-fetches the URL
    // and can crash.
    if (e == null || !(read ? e.downloadSig : e.uploadSig).equals(query.get("sig"))) {
      blobError(ex, 404, "BlobNotFound");
      return;
    }
    if (read) {
      download(ex, e);
      return;
    }
    String error = null;
    synchronized (this) {
      if (e.finalized) {
        error = "BlobImmutable";
      } else if (op.equals("PutBlob")) {
        if ("BlockBlob".equals(ex.getRequestHeaders().getFirst("x-ms-blob-type"))) {
          e.content = body;
        } else {
          error = "MissingRequiredHeader";
        }
      } else if (op.equals("PutBlock")) {
        String blockId = query.get("blockid");
        if (blockId == null || blockId.isEmpty()) {
          error = "InvalidQueryParameterValue";
        } else {
          e.blocks.put(blockId, body);
        }
      } else {
        error = commitBlockList(e, new String(body, UTF_8));
      }
    }
    if (error != null) {
      blobError(ex, error.equals("BlobImmutable") ? 409 : 400, error);
    } else {
      send(ex, 201, null, new byte[0]);
    }
  }

  /** Assembles the blob from the listed block ids in list order; must hold the lock. */
  private static String commitBlockList(Entry e, String xml) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Matcher m = BLOCK_ID.matcher(xml);
    while (m.find()) {
      byte[] block = e.blocks.get(m.group(2).trim());
      if (block == null) {
        return "InvalidBlockList";
      }
      out.writeBytes(block);
    }
    e.content = out.toByteArray();
    return null;
  }

  private void download(HttpExchange ex, Entry e) throws IOException {
    byte[] data;
    synchronized (this) {
      data = e.finalized ? e.content : null;
    }
    if (data == null) {
      blobError(ex, 404, "BlobNotFound");
      return;
    }
    // Azure gives x-ms-range precedence over Range; GAC reads at an offset with x-ms-range only.
    String rangeHeader = ex.getRequestHeaders().getFirst("x-ms-range");
    if (rangeHeader == null) {
      rangeHeader = ex.getRequestHeaders().getFirst("Range");
    }
    Matcher m = rangeHeader == null ? null : RANGE.matcher(rangeHeader.trim());
    ex.getResponseHeaders().set("x-ms-blob-type", "BlockBlob");
    ex.getResponseHeaders().set("Accept-Ranges", "bytes");
    if (m == null || !m.matches()) {
      send(ex, 200, "application/octet-stream", data);
      return;
    }
    long start = Long.parseLong(m.group(1));
    long end =
        m.group(2).isEmpty()
            ? data.length - 1L
            : Math.min(Long.parseLong(m.group(2)), data.length - 1L);
    if (start >= data.length || end < start) {
      ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
      blobError(ex, 416, "InvalidRange");
      return;
    }
    ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + data.length);
    send(ex, 206, "application/octet-stream", Arrays.copyOfRange(data, (int) start, (int) end + 1));
  }

  // ---- helpers ----

  private Entry newest(Predicate<Entry> filter) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (filter.test(entries.get(i))) {
        return entries.get(i);
      }
    }
    return null;
  }

  private String blobUrl(Entry e, String sig, String permissions) {
    return baseUrl + "blob/" + e.id + "?sig=" + sig + "&sp=" + permissions + "&sv=2024-11-04";
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> params = new HashMap<>();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        params.put(
            URLDecoder.decode(name, UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), UTF_8));
      }
    }
    return params;
  }

  private static void json(HttpExchange ex, JsonNode body) throws IOException {
    send(ex, 200, "application/json", JSON.writeValueAsBytes(body));
  }

  private static void twirpError(HttpExchange ex, int status, String code, String msg)
      throws IOException {
    send(
        ex,
        status,
        "application/json",
        JSON.writeValueAsBytes(JSON.createObjectNode().put("code", code).put("msg", msg)));
  }

  private static void blobError(HttpExchange ex, int status, String code) throws IOException {
    ex.getResponseHeaders().set("x-ms-error-code", code);
    String xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>"
            + code
            + "</Code><Message>"
            + code
            + "</Message></Error>";
    send(ex, status, "application/xml", xml.getBytes(UTF_8));
  }

  /**
   * The JDK server adds a Date header itself, formatted "EEE, dd MMM yyyy HH:mm:ss zzz" in GMT,
   * which Go parses.
   */
  private static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().set("Content-Type", contentType);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /**
   * HS256 JWT with a random key: GAC parses it unverified but needs ac (a JSON string), exp and
   * nbf.
   */
  static String mintToken(String scope) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    ObjectNode claims =
        JSON.createObjectNode()
            .put("ac", "[{\"Scope\":\"" + scope + "\",\"Permission\":3}]")
            .put("iss", "vstoken.actions.githubusercontent.com")
            .put("aud", "vso:cached-image-it")
            .put("nbf", now - 60)
            .put("iat", now - 60)
            .put("exp", now + 6 * 3600);
    try {
      String signingInput =
          b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(UTF_8))
              + "."
              + b64.encodeToString(JSON.writeValueAsBytes(claims));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(randomHex(32).getBytes(UTF_8), "HmacSHA256"));
      return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(UTF_8)));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
