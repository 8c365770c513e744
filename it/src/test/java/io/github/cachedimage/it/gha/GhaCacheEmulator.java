package io.github.cachedimage.it.gha;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
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
import java.util.Objects;
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
 * In-process emulator of the GitHub Actions cache service v2: the Twirp JSON API plus the
 * Azure-blob-style signed URLs it hands out, as BuildKit's {@code type=gha} cache
 * (go-actions-cache, "GAC") uses them. The rules come from shared/docs/gha-cache-protocol.md.
 */
public final class GhaCacheEmulator implements AutoCloseable {
  /** The exporter hashes the token's scope into index keys, so it must not change. */
  public static final String TOKEN_SCOPE = "refs/heads/main";

  static final String TWIRP_PREFIX = "/twirp/github.actions.results.api.v1.CacheService/";
  private static final Set<String> TWIRP_METHODS =
      Set.of("GetCacheEntryDownloadURL", "CreateCacheEntry", "FinalizeCacheEntryUpload");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BLOCK_ID =
      Pattern.compile("<(Latest|Committed|Uncommitted)>([^<]*)</\\1>");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One request as received (headers case-insensitive), e.g. to check where the token travels. */
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
    // Separate read and write signatures, like real SAS URLs: a download URL allows no uploads.
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

  /** Thrown to answer with an error: Twirp JSON on the API, an x-ms-error-code on blobs. */
  private static final class Fail extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Fail(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final String baseUrl;
  private final String token = mintToken(TOKEN_SCOPE);
  // Everything below is guarded by "this" (BuildKit calls concurrently); bodies are read unlocked.
  private final List<Entry> entries = new ArrayList<>(); // creation order decides "newest"
  private final List<RecordedRequest> requests = new ArrayList<>();
  private long nextId = 1;
  private String faultMethod;
  private int faultStatus;
  private int faultsLeft;
  private int uploadFaultStatus; // 0: drop the connection
  private int uploadFaultsLeft;

  private GhaCacheEmulator() throws IOException {
    // Loopback only: the docker driver runs BuildKit inside dockerd, on the host's network.
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

  /** Base URL with a trailing slash, as a runner's ACTIONS_RESULTS_URL has. */
  public String url() {
    return baseUrl;
  }

  public String token() {
    return token;
  }

  /** What a runner gives a JavaScript action; buildx turns these into gha cache attributes. */
  public Map<String, String> runnerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ACTIONS_RUNTIME_TOKEN", token);
    env.put("ACTIONS_RUNTIME_URL", baseUrl);
    env.put("ACTIONS_CACHE_URL", baseUrl);
    env.put("ACTIONS_RESULTS_URL", baseUrl);
    env.put("ACTIONS_CACHE_SERVICE_V2", "True");
    return Collections.unmodifiableMap(env);
  }

  /** Fails the next {@code times} Twirp calls (-1: until {@link #resetFaults}) with status. */
  public void failApiWith(int status, int times) {
    failApiWith(null, status, times);
  }

  /** Like {@link #failApiWith(int, int)}, for one Twirp method only (null: any). */
  public synchronized void failApiWith(String twirpMethod, int status, int times) {
    faultMethod = twirpMethod;
    faultStatus = status;
    faultsLeft = times;
  }

  /**
   * Fails the next {@code times} blob uploads (Put Blob, Put Block; -1: until {@link #resetFaults})
   * with {@code status}, or, with status 0, by closing the connection after reading part of the
   * body and before any reply: a runner's network dropping mid-upload.
   */
  public synchronized void failUploadsWith(int status, int times) {
    uploadFaultStatus = status;
    uploadFaultsLeft = times;
  }

  public synchronized void resetFaults() {
    faultsLeft = 0;
    uploadFaultsLeft = 0;
  }

  /** Keys of finalized entries, oldest first. */
  public synchronized List<String> committedKeys() {
    return entries.stream().filter(e -> e.finalized).map(e -> e.key).toList();
  }

  /** Content of the newest finalized entry with exactly this key, or null. */
  public synchronized byte[] content(String key) {
    Entry e = newest(x -> x.finalized && x.key.equals(key));
    return e == null ? null : e.content.clone();
  }

  public synchronized long storedBytes() {
    return entries.stream().filter(e -> e.finalized).mapToLong(e -> e.content.length).sum();
  }

  /** Like GitHub's eviction: drops entries whose key starts with the prefix; returns how many. */
  public synchronized int evict(String keyPrefix) {
    int before = entries.size();
    entries.removeIf(e -> e.key.startsWith(keyPrefix));
    return before - entries.size();
  }

  /**
   * Requests received for an operation: a Twirp method name, PutBlob, PutBlock, PutBlockList,
   * GetBlob or Other; rejected and fault-injected requests count too.
   */
  public synchronized int requestCount(String operation) {
    return (int) requests.stream().filter(r -> r.operation().equals(operation)).count();
  }

  public synchronized List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    boolean api = path.startsWith(TWIRP_PREFIX);
    try (ex) {
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      String op = api ? path.substring(TWIRP_PREFIX.length()) : blobOperation(ex, path, query);
      Integer uploadFault =
          op.equals("PutBlob") || op.equals("PutBlock") ? takeUploadFault() : null;
      if (uploadFault != null && uploadFault == 0) {
        ex.getRequestBody().readNBytes(1024);
        record(ex, op, new byte[0]);
        return; // closing an exchange that sent no headers closes the connection: no reply
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      record(ex, op, body);
      // GAC dereferences the request id of the last upload reply (nil: panic); harmless elsewhere.
      ex.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
      try {
        if (uploadFault != null) {
          throw new Fail(uploadFault, uploadFault == 429 ? "ServerBusy" : "InternalError", op);
        } else if (api) {
          twirp(ex, op, body);
        } else {
          blob(ex, op, path, query, body);
        }
      } catch (Fail f) {
        if (api) {
          ObjectNode error = JSON.createObjectNode().put("code", f.code).put("msg", f.getMessage());
          send(ex, f.status, "application/json", JSON.writeValueAsBytes(error));
        } else {
          ex.getResponseHeaders().set("x-ms-error-code", f.code);
          send(ex, f.status, null, new byte[0]);
        }
      } catch (RuntimeException e) { // an emulator bug: make it visible rather than drop the line
        send(ex, 500, "text/plain", String.valueOf(e).getBytes(UTF_8));
      }
    }
  }

  private void record(HttpExchange ex, String op, byte[] body) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
    synchronized (this) {
      requests.add(
          new RecordedRequest(
              op,
              ex.getRequestMethod(),
              ex.getRequestURI().toString(),
              Collections.unmodifiableMap(headers),
              body));
    }
  }

  private synchronized Integer takeUploadFault() {
    if (uploadFaultsLeft == 0) {
      return null;
    }
    uploadFaultsLeft = uploadFaultsLeft > 0 ? uploadFaultsLeft - 1 : uploadFaultsLeft;
    return uploadFaultStatus;
  }

  private static String blobOperation(HttpExchange ex, String path, Map<String, String> query) {
    String method = ex.getRequestMethod();
    String comp = query.get("comp");
    if (!path.startsWith("/blob/")) {
      return "Other";
    } else if (method.equals("GET")) {
      return "GetBlob";
    } else if (!method.equals("PUT")) {
      return "Other";
    }
    return comp == null
        ? "PutBlob"
        : switch (comp) {
          case "block" -> "PutBlock";
          case "blocklist" -> "PutBlockList";
          default -> "Other";
        };
  }

  private void twirp(HttpExchange ex, String method, byte[] body) throws IOException {
    Headers headers = ex.getRequestHeaders();
    if (!ex.getRequestMethod().equals("POST")
        || !TWIRP_METHODS.contains(method)
        || !String.valueOf(headers.getFirst("Content-Type")).startsWith("application/json")) {
      throw new Fail(404, "bad_route", "no handler for " + ex.getRequestMethod() + " " + method);
    }
    Integer fault = takeFault(method);
    if (fault != null) {
      ex.getResponseHeaders().set("Retry-After", "1"); // BuildKit >= 0.27 honours it on 429
      throw new Fail(fault, fault == 429 ? "resource_exhausted" : "internal", "injected fault");
    }
    if (!("Bearer " + token).equals(headers.getFirst("Authorization"))) {
      throw new Fail(401, "unauthenticated", "missing or wrong bearer token");
    }
    JsonNode req;
    try {
      req = Objects.requireNonNullElse(JSON.readTree(body), JSON.missingNode());
    } catch (IOException e) {
      throw new Fail(400, "malformed", "body is not JSON: " + e.getMessage());
    }
    String key = req.path("key").asText("");
    String version = req.path("version").asText("");
    if (key.isEmpty() || version.isEmpty()) {
      throw new Fail(400, "invalid_argument", "key and version are required");
    }
    // Unknown fields such as "metadata" are ignored; replies use snake_case like the real service.
    ObjectNode reply = JSON.createObjectNode().put("ok", true);
    switch (method) {
      case "GetCacheEntryDownloadURL" -> lookup(key, version, req.path("restore_keys"), reply);
      case "CreateCacheEntry" -> reply.put("signed_upload_url", create(key, version));
      default -> reply.put("entry_id", finalizeUpload(key, version, req.path("size_bytes")));
    }
    send(ex, 200, "application/json", JSON.writeValueAsBytes(reply));
  }

  private synchronized void lookup(
      String key, String version, JsonNode restoreKeys, ObjectNode reply) {
    // Exact key first, then each restore key as a prefix; newest by creation, not lexical order.
    Entry hit = newest(e -> e.finalized && e.version.equals(version) && e.key.equals(key));
    for (int i = 0; hit == null && i < restoreKeys.size(); i++) {
      String prefix = restoreKeys.get(i).asText();
      hit = newest(e -> e.finalized && e.version.equals(version) && e.key.startsWith(prefix));
    }
    reply
        .put("ok", hit != null) // a miss is ok:false, not an HTTP error
        .put("signed_download_url", hit == null ? "" : blobUrl(hit, hit.downloadSig, "r"))
        .put("matched_key", hit == null ? "" : hit.key);
  }

  private synchronized String create(String key, String version) {
    // A pending reservation locks key+version too. GAC takes already_exists as "exists", moves on.
    if (newest(e -> e.key.equals(key) && e.version.equals(version)) != null) {
      throw new Fail(
          409,
          "already_exists",
          "cache entry with the same key, version, and scope already exists");
    }
    Entry e = new Entry(nextId++, key, version);
    entries.add(e);
    return blobUrl(e, e.uploadSig, "cw");
  }

  private synchronized String finalizeUpload(String key, String version, JsonNode size) {
    Entry e = newest(x -> x.key.equals(key) && x.version.equals(version));
    if (e == null) {
      throw new Fail(404, "not_found", "no reservation for " + key);
    } else if (e.finalized) {
      throw new Fail(409, "already_exists", key + " is already finalized");
    } else if (e.content == null) {
      throw new Fail(412, "failed_precondition", "nothing uploaded for " + key);
    }
    // GAC sends size_bytes as a number, proto3 JSON as a string: asLong reads both.
    if (!size.isMissingNode() && !size.isNull() && size.asLong(-1) != e.content.length) {
      throw new Fail(
          400, "invalid_argument", "size_bytes " + size + " but got " + e.content.length);
    }
    e.finalized = true; // immutable from now on, and visible to lookups
    e.blocks.clear();
    return Long.toString(e.id); // GAC decodes entry_id as a string: a JSON number breaks it
  }

  private synchronized Integer takeFault(String method) {
    if (faultsLeft == 0 || (faultMethod != null && !faultMethod.equals(method))) {
      return null;
    }
    faultsLeft = faultsLeft > 0 ? faultsLeft - 1 : faultsLeft;
    return faultStatus;
  }

  private void blob(HttpExchange ex, String op, String path, Map<String, String> query, byte[] body)
      throws IOException {
    if (op.equals("Other")) {
      throw new Fail(404, "ResourceNotFound", "this emulator speaks only cache v2");
    }
    String id = path.substring("/blob/".length());
    boolean read = op.equals("GetBlob");
    byte[] data;
    synchronized (this) {
      Entry e = newest(x -> Long.toString(x.id).equals(id));
      // Unknown blob or bad signature is 404, never 401/403: on those BuildKit 0.25 reloads the URL
      // and can crash. The query is parsed, not matched raw: the Azure SDK re-sorts it.
      if (e == null
          || !(read ? e.downloadSig : e.uploadSig).equals(query.get("sig"))
          || (read && !e.finalized)) {
        throw new Fail(404, "BlobNotFound", "no blob " + id);
      } else if (!read && e.finalized) {
        throw new Fail(409, "BlobImmutable", "entry " + id + " is finalized");
      } else if (op.equals("PutBlob")) {
        if (!"BlockBlob".equals(ex.getRequestHeaders().getFirst("x-ms-blob-type"))) {
          throw new Fail(400, "MissingRequiredHeader", "x-ms-blob-type: BlockBlob");
        }
        e.content = body;
      } else if (op.equals("PutBlock")) {
        String blockId = query.getOrDefault("blockid", ""); // already URL-decoded (+, /, =)
        if (blockId.isEmpty()) {
          throw new Fail(400, "InvalidQueryParameterValue", "blockid");
        }
        e.blocks.put(blockId, body);
      } else if (op.equals("PutBlockList")) {
        ByteArrayOutputStream assembled = new ByteArrayOutputStream(); // in list order
        for (Matcher m = BLOCK_ID.matcher(new String(body, UTF_8)); m.find(); ) {
          byte[] block = e.blocks.get(m.group(2).trim());
          if (block == null) {
            throw new Fail(400, "InvalidBlockList", "unknown block " + m.group(2));
          }
          assembled.writeBytes(block);
        }
        e.content = assembled.toByteArray();
      }
      data = e.content;
    }
    if (read) {
      download(ex, data);
    } else {
      send(ex, 201, null, new byte[0]); // Azure's "Created", for all three upload calls
    }
  }

  private static void download(HttpExchange ex, byte[] data) throws IOException {
    // Azure prefers x-ms-range to Range; GAC reads at an offset with x-ms-range only.
    Headers h = ex.getRequestHeaders();
    String range = h.containsKey("x-ms-range") ? h.getFirst("x-ms-range") : h.getFirst("Range");
    Matcher m = RANGE.matcher(String.valueOf(range).trim());
    ex.getResponseHeaders().set("x-ms-blob-type", "BlockBlob");
    if (!m.matches()) {
      send(ex, 200, "application/octet-stream", data);
      return;
    }
    long start = Long.parseLong(m.group(1));
    long last = data.length - 1L;
    long end = m.group(2).isEmpty() ? last : Math.min(Long.parseLong(m.group(2)), last);
    if (start > end) {
      ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
      throw new Fail(416, "InvalidRange", range);
    }
    ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + data.length);
    send(ex, 206, "application/octet-stream", Arrays.copyOfRange(data, (int) start, (int) end + 1));
  }

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
    for (String pair : rawQuery == null ? new String[0] : rawQuery.split("&")) {
      String[] kv = pair.split("=", 2);
      params.put(
          URLDecoder.decode(kv[0], UTF_8), kv.length < 2 ? "" : URLDecoder.decode(kv[1], UTF_8));
    }
    return params;
  }

  /** The JDK server adds Date itself as "EEE, dd MMM yyyy HH:mm:ss zzz" in GMT, which Go parses. */
  private static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().set("Content-Type", contentType);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    ex.getResponseBody().write(body);
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** HS256 JWT with a random key: GAC never verifies it, but needs ac (a JSON string), exp, nbf. */
  static String mintToken(String scope) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    ObjectNode claims =
        JSON.createObjectNode()
            .put("ac", "[{\"Scope\":\"" + scope + "\",\"Permission\":3}]") // 3 = read + write
            .put("iss", "vstoken.actions.githubusercontent.com")
            .put("nbf", now - 60)
            .put("iat", now - 60)
            .put("exp", now + 6 * 3600);
    try {
      String signed =
          b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(UTF_8))
              + "."
              + b64.encodeToString(JSON.writeValueAsBytes(claims));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(randomHex(32).getBytes(UTF_8), "HmacSHA256"));
      return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(UTF_8)));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
