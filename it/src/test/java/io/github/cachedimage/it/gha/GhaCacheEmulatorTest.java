package io.github.cachedimage.it.gha;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the emulator with the exact requests go-actions-cache (BuildKit type=gha) sends. */
class GhaCacheEmulatorTest {
  /** sha256("|go-actionscache-1.0"): the version GAC sends for every key. */
  private static final String VERSION =
      "693bb7016429d80366022f036f84856888c9f13e00145f5f6f4dce303a38d6f2";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GO_RFC1123 =
      "[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT";

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private GhaCacheEmulator emulator;

  @BeforeEach
  void start() throws Exception {
    emulator = GhaCacheEmulator.start();
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void missReturnsOkFalse() throws Exception {
    HttpResponse<String> r = lookup("buildkit-blob-1-sha256:abc");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("ok").asBoolean()).isFalse();
  }

  @Test
  void smallBlobRoundTripWithRangedDownload() throws Exception {
    byte[] data = "hello, cached image layer".getBytes(UTF_8);
    String uploadUrl = create("buildkit-blob-1-sha256:small");

    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(URI.create(sdkUrl(uploadUrl, Map.of())))
                .header("x-ms-blob-type", "BlockBlob")
                .header("x-ms-version", "2024-11-04")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.headers().firstValue("x-ms-request-id")).isPresent();
    assertThat(put.headers().firstValue("Date"))
        .hasValueSatisfying(d -> assertThat(d).matches(GO_RFC1123));

    // Not finalized yet: invisible to lookups.
    assertThat(JSON.readTree(lookup("buildkit-blob-1-sha256:small").body()).get("ok").asBoolean())
        .isFalse();

    HttpResponse<String> fin =
        twirp(
            "FinalizeCacheEntryUpload",
            "{\"key\":\"buildkit-blob-1-sha256:small\",\"size_bytes\":"
                + data.length
                + ",\"version\":\""
                + VERSION
                + "\"}");
    assertThat(fin.statusCode()).isEqualTo(200);
    JsonNode finBody = JSON.readTree(fin.body());
    assertThat(finBody.get("ok").asBoolean()).isTrue();
    assertThat(finBody.get("entry_id").isTextual()).isTrue();

    JsonNode hit = JSON.readTree(lookup("buildkit-blob-1-sha256:small").body());
    assertThat(hit.get("ok").asBoolean()).isTrue();
    assertThat(hit.get("matched_key").asText()).isEqualTo("buildkit-blob-1-sha256:small");
    String downloadUrl = hit.get("signed_download_url").asText();

    HttpResponse<byte[]> full = download(downloadUrl, null, null);
    assertThat(full.statusCode()).isEqualTo(200);
    assertThat(full.body()).isEqualTo(data);

    HttpResponse<byte[]> tail = download(downloadUrl, "x-ms-range", "bytes=7-");
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.headers().firstValue("Content-Range"))
        .hasValue("bytes 7-" + (data.length - 1) + "/" + data.length);
    assertThat(new String(tail.body(), UTF_8)).isEqualTo("cached image layer");
    assertThat(download(downloadUrl, "Range", "bytes=0-4").body())
        .isEqualTo("hello".getBytes(UTF_8));

    assertThat(emulator.committedKeys()).containsExactly("buildkit-blob-1-sha256:small");
    assertThat(emulator.storedBytes()).isEqualTo(data.length);
    assertThat(emulator.content("buildkit-blob-1-sha256:small")).isEqualTo(data);
  }

  @Test
  void largeBlobViaPutBlockAndBlockListInListOrder() throws Exception {
    byte[] data = new byte[(1 << 20) + 12345];
    new Random(42).nextBytes(data);
    String uploadUrl = create("buildkit-blob-1-sha256:large");
    String id0 = blockId(0);
    String id1 = blockId(1);
    assertThat(id0).contains("+", "/", "=");

    // Upload the second block first: the blob must follow the block list, not arrival order.
    putBlock(uploadUrl, id1, java.util.Arrays.copyOfRange(data, 1 << 20, data.length));
    putBlock(uploadUrl, id0, java.util.Arrays.copyOfRange(data, 0, 1 << 20));
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BlockList><Latest>"
            + id0
            + "</Latest><Latest>"
            + id1
            + "</Latest></BlockList>";
    HttpResponse<String> list =
        send(
            HttpRequest.newBuilder(URI.create(sdkUrl(uploadUrl, Map.of("comp", "blocklist"))))
                .header("Content-Type", "application/xml")
                .PUT(HttpRequest.BodyPublishers.ofString(xml)));
    assertThat(list.statusCode()).isEqualTo(201);
    assertThat(list.headers().firstValue("x-ms-request-id")).isPresent();

    // size_bytes as a proto3-JSON string, with metadata present: both must be accepted.
    HttpResponse<String> fin =
        twirp(
            "FinalizeCacheEntryUpload",
            "{\"metadata\":{\"repository_id\":\"1\"},"
                + "\"key\":\"buildkit-blob-1-sha256:large\",\"size_bytes\":\""
                + data.length
                + "\",\"version\":\""
                + VERSION
                + "\"}");
    assertThat(fin.statusCode()).isEqualTo(200);

    String downloadUrl =
        JSON.readTree(lookup("buildkit-blob-1-sha256:large").body())
            .get("signed_download_url")
            .asText();
    assertThat(download(downloadUrl, null, null).body()).isEqualTo(data);
    assertThat(download(downloadUrl, "x-ms-range", "bytes=1048576-").body())
        .isEqualTo(java.util.Arrays.copyOfRange(data, 1 << 20, data.length));
    assertThat(emulator.requestCount("PutBlock")).isEqualTo(2);
    assertThat(emulator.requestCount("PutBlockList")).isEqualTo(1);
  }

  @Test
  void duplicateCreateIsConflictAndEntriesAreImmutable() throws Exception {
    String uploadUrl = create("k");
    HttpResponse<String> reserved =
        twirp("CreateCacheEntry", "{\"key\":\"k\",\"version\":\"" + VERSION + "\"}");
    assertThat(reserved.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(reserved.body()).get("code").asText()).isEqualTo("already_exists");

    store("k2", "v1".getBytes(UTF_8));
    HttpResponse<String> existing =
        twirp("CreateCacheEntry", "{\"key\":\"k2\",\"version\":\"" + VERSION + "\"}");
    assertThat(existing.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(existing.body()).get("code").asText()).isEqualTo("already_exists");
    // Other version of the same key is a different entry.
    assertThat(twirp("CreateCacheEntry", "{\"key\":\"k2\",\"version\":\"other\"}").statusCode())
        .isEqualTo(200);

    // The upload URL of a finalized entry no longer accepts writes; a fresh upload to "k" still
    // works.
    assertThat(putBlob(uploadUrl, "x".getBytes(UTF_8)).statusCode()).isEqualTo(201);
    assertThat(
            twirp(
                    "FinalizeCacheEntryUpload",
                    "{\"key\":\"k\",\"size_bytes\":1,\"version\":\"" + VERSION + "\"}")
                .statusCode())
        .isEqualTo(200);
    assertThat(putBlob(uploadUrl, "y".getBytes(UTF_8)).statusCode()).isEqualTo(409);
    assertThat(emulator.content("k")).isEqualTo("x".getBytes(UTF_8));
  }

  @Test
  void prefixMatchReturnsNewestByCreationOrder() throws Exception {
    for (int n = 1; n <= 10; n++) {
      store("index-x-1-abc#" + n, ("{\"n\":" + n + "}").getBytes(UTF_8));
    }
    store("index-x-1-abd#99", "other".getBytes(UTF_8));
    // GAC Load(indexKey+"#"): key = restore_keys[0]; lexically "#9" > "#10", but #10 is newest.
    JsonNode hit = JSON.readTree(lookup("index-x-1-abc#").body());
    assertThat(hit.get("matched_key").asText()).isEqualTo("index-x-1-abc#10");
    assertThat(download(hit.get("signed_download_url").asText(), null, null).body())
        .isEqualTo("{\"n\":10}".getBytes(UTF_8));
    // An exact key match beats a newer prefix match.
    assertThat(JSON.readTree(lookup("index-x-1-abc#1").body()).get("matched_key").asText())
        .isEqualTo("index-x-1-abc#1");
    // Restore keys are tried in order.
    HttpResponse<String> r =
        twirp(
            "GetCacheEntryDownloadURL",
            "{\"key\":\"nope\",\"restore_keys\":[\"nope\",\"index-x-1-abd\","
                + "\"index-x-1-abc\"],\"version\":\""
                + VERSION
                + "\"}");
    assertThat(JSON.readTree(r.body()).get("matched_key").asText()).isEqualTo("index-x-1-abd#99");
    // The version must match too.
    HttpResponse<String> wrongVersion =
        twirp(
            "GetCacheEntryDownloadURL",
            "{\"key\":\"index-x-1-abc#1\",\"restore_keys\":[\"index-x-1-abc#1\"],\"version\":\"other\"}");
    assertThat(JSON.readTree(wrongVersion.body()).get("ok").asBoolean()).isFalse();
  }

  @Test
  void missingOrWrongBearerIsUnauthorized() throws Exception {
    String body = "{\"key\":\"k\",\"restore_keys\":[\"k\"],\"version\":\"" + VERSION + "\"}";
    HttpResponse<String> none =
        send(
            HttpRequest.newBuilder(twirpUri("GetCacheEntryDownloadURL"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).get("code").asText()).isEqualTo("unauthenticated");
    HttpResponse<String> wrong =
        send(
            HttpRequest.newBuilder(twirpUri("GetCacheEntryDownloadURL"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer x.y.z")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(wrong.statusCode()).isEqualTo(401);
  }

  @Test
  void injectedFaultsThenRecovery() throws Exception {
    emulator.failApiWith(429, 2);
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = lookup("k");
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("resource_exhausted");
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    }
    assertThat(lookup("k").statusCode()).isEqualTo(200);

    emulator.failApiWith(500, -1);
    assertThat(lookup("k").statusCode()).isEqualTo(500);
    assertThat(lookup("k").statusCode()).isEqualTo(500);
    emulator.resetFaults();
    assertThat(lookup("k").statusCode()).isEqualTo(200);

    emulator.failApiWith("CreateCacheEntry", 503, 1);
    assertThat(lookup("k").statusCode()).isEqualTo(200);
    assertThat(
            twirp("CreateCacheEntry", "{\"key\":\"k\",\"version\":\"" + VERSION + "\"}")
                .statusCode())
        .isEqualTo(503);
    assertThat(emulator.requestCount("GetCacheEntryDownloadURL")).isEqualTo(7);
  }

  @Test
  void uploadFaultsAnswerWithTheStatusOrDropTheConnectionThenRecover() throws Exception {
    byte[] data = new byte[64 * 1024];
    new Random(7).nextBytes(data);
    String url = create("k");

    emulator.failUploadsWith(500, 1);
    HttpResponse<String> failed = putBlob(url, data);
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.headers().firstValue("x-ms-error-code")).hasValue("InternalError");

    emulator.failUploadsWith(0, 1);
    assertThatThrownBy(() -> putBlob(url, data))
        .as("the connection closes before any reply")
        .isInstanceOf(java.io.IOException.class);

    // the API is not affected, and the next upload goes through
    assertThat(lookup("k").statusCode()).isEqualTo(200);
    assertThat(putBlob(url, data).statusCode()).isEqualTo(201);
    assertThat(emulator.requestCount("PutBlob")).isEqualTo(3);
  }

  @Test
  void downloadsNeverAnswer401Or403() throws Exception {
    store("k", "data".getBytes(UTF_8));
    String url = JSON.readTree(lookup("k").body()).get("signed_download_url").asText();
    String forged = url.replaceAll("sig=[0-9a-f]+", "sig=forged");
    assertThat(download(forged, null, null).statusCode()).isEqualTo(404);
    assertThat(download(emulator.url() + "blob/999?sig=x", null, null).statusCode()).isEqualTo(404);
    // The download URL does not grant writes.
    assertThat(putBlob(url, "evil".getBytes(UTF_8)).statusCode()).isEqualTo(404);
    emulator.evict("k");
    assertThat(download(url, null, null).statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(lookup("k").body()).get("ok").asBoolean()).isFalse();
  }

  @Test
  void tokenIsWellFormedJwtWithStringAcClaim() throws Exception {
    String[] parts = emulator.token().split("\\.", -1);
    assertThat(parts).hasSize(3);
    assertThat(emulator.token()).doesNotContain("=", "+", "/");
    JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
    assertThat(header.get("alg").asText()).isEqualTo("HS256");
    JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    assertThat(claims.get("ac").isTextual()).isTrue();
    JsonNode ac = JSON.readTree(claims.get("ac").asText());
    assertThat(ac.get(0).get("Scope").asText()).isEqualTo("refs/heads/main");
    assertThat(ac.get(0).get("Permission").asInt()).isEqualTo(3);
    long now = System.currentTimeMillis() / 1000;
    assertThat(claims.get("exp").isNumber()).isTrue();
    assertThat(claims.get("exp").asLong()).isGreaterThan(now + 3600);
    assertThat(claims.get("nbf").asLong()).isLessThan(now);
    assertThat(claims.get("iat").asLong()).isLessThan(now);
    assertThat(claims.get("iss").asText()).isNotEmpty();
  }

  @Test
  void runnerEnvironmentAndTokenOnlyInAuthorizationHeaders() throws Exception {
    Map<String, String> env = emulator.runnerEnvironment();
    assertThat(env)
        .containsEntry("ACTIONS_RUNTIME_TOKEN", emulator.token())
        .containsEntry("ACTIONS_RESULTS_URL", emulator.url())
        .containsEntry("ACTIONS_CACHE_URL", emulator.url())
        .containsEntry("ACTIONS_CACHE_SERVICE_V2", "True");
    assertThat(emulator.url()).matches("http://127\\.0\\.0\\.1:\\d+/");

    store("k", "payload".getBytes(UTF_8));
    download(JSON.readTree(lookup("k").body()).get("signed_download_url").asText(), null, null);
    List<GhaCacheEmulator.RecordedRequest> requests = emulator.requests();
    assertThat(requests)
        .extracting(GhaCacheEmulator.RecordedRequest::operation)
        .containsExactly(
            "CreateCacheEntry",
            "PutBlob",
            "FinalizeCacheEntryUpload",
            "GetCacheEntryDownloadURL",
            "GetBlob");
    for (GhaCacheEmulator.RecordedRequest r : requests) {
      assertThat(r.bodyText()).doesNotContain(emulator.token());
      assertThat(r.uri()).doesNotContain(emulator.token());
      r.headers()
          .forEach(
              (name, values) -> {
                if (!name.equalsIgnoreCase("Authorization")) {
                  assertThat(values).noneMatch(v -> v.contains(emulator.token()));
                }
              });
      boolean blob = r.operation().endsWith("Blob");
      assertThat(r.header("authorization")).isEqualTo(blob ? null : "Bearer " + emulator.token());
    }
  }

  @Test
  void concurrentClientsGetExactlyOneReservation() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        int n = i;
        tasks.add(
            () -> {
              store("blob-" + n, ("content " + n).getBytes(UTF_8));
              return twirp(
                      "CreateCacheEntry", "{\"key\":\"index#1\",\"version\":\"" + VERSION + "\"}")
                  .statusCode();
            });
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        statuses.add(f.get());
      }
      assertThat(statuses).containsOnlyOnce(200).contains(409);
      assertThat(emulator.committedKeys()).hasSize(16);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- a minimal go-actions-cache, in Java ----

  /** create + Put Blob + finalize, as GAC Save does for payloads under 1 MiB. */
  private void store(String key, byte[] data) throws Exception {
    assertThat(putBlob(create(key), data).statusCode()).isEqualTo(201);
    HttpResponse<String> fin =
        twirp(
            "FinalizeCacheEntryUpload",
            "{\"key\":\""
                + key
                + "\",\"size_bytes\":"
                + data.length
                + ",\"version\":\""
                + VERSION
                + "\"}");
    assertThat(fin.statusCode()).isEqualTo(200);
  }

  private String create(String key) throws Exception {
    HttpResponse<String> r =
        twirp("CreateCacheEntry", "{\"key\":\"" + key + "\",\"version\":\"" + VERSION + "\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("ok").asBoolean()).isTrue();
    return body.get("signed_upload_url").asText();
  }

  /** GAC Load(key): key = keys[0], restore_keys = all keys. */
  private HttpResponse<String> lookup(String key) throws Exception {
    return twirp(
        "GetCacheEntryDownloadURL",
        "{\"key\":\""
            + key
            + "\",\"restore_keys\":[\""
            + key
            + "\"],\"version\":\""
            + VERSION
            + "\"}");
  }

  private HttpResponse<String> twirp(String method, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(twirpUri(method))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + emulator.token())
            .header("User-Agent", "buildkit/v0.25.1")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private URI twirpUri(String method) {
    return URI.create(emulator.url().replaceAll("/$", "") + GhaCacheEmulator.TWIRP_PREFIX + method);
  }

  private HttpResponse<String> putBlob(String signedUrl, byte[] data) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(sdkUrl(signedUrl, Map.of())))
            .header("x-ms-blob-type", "BlockBlob")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(data)));
  }

  private void putBlock(String signedUrl, String blockId, byte[] data) throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(
                    URI.create(sdkUrl(signedUrl, Map.of("comp", "block", "blockid", blockId))))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)));
    assertThat(r.statusCode()).isEqualTo(201);
  }

  private HttpResponse<byte[]> download(String url, String rangeHeader, String range)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (rangeHeader != null) {
      b.header(rangeHeader, range);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Like azblob: parse the signed URL, add parameters, re-encode sorted by name (Go
   * url.Values.Encode).
   */
  private static String sdkUrl(String signedUrl, Map<String, String> extra) {
    int q = signedUrl.indexOf('?');
    Map<String, String> params = new TreeMap<>(extra);
    for (String pair : signedUrl.substring(q + 1).split("&")) {
      String[] kv = pair.split("=", 2);
      params.put(URLDecoder.decode(kv[0], UTF_8), URLDecoder.decode(kv[1], UTF_8));
    }
    StringBuilder url = new StringBuilder(signedUrl.substring(0, q));
    char sep = '?';
    for (Map.Entry<String, String> p : params.entrySet()) {
      url.append(sep)
          .append(URLEncoder.encode(p.getKey(), UTF_8))
          .append('=')
          .append(URLEncoder.encode(p.getValue(), UTF_8));
      sep = '&';
    }
    return url.toString();
  }

  /**
   * azblob's block id: base64 of a 16-byte UUID, a big-endian uint32 block number and zero padding
   * to 64 bytes.
   */
  private static String blockId(int number) {
    ByteBuffer id = ByteBuffer.allocate(64);
    id.put(
        new byte[] {
          (byte) 0xfb, (byte) 0xef, (byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
        });
    id.putInt(number);
    return Base64.getEncoder().encodeToString(id.array());
  }
}
