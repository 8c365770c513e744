package io.github.cachedimage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.ReuseSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of bad input core sees (specs, cache and secret specs, {@code .dockerignore},
 * Dockerfiles, records), against a scripted engine and buildx. Each error is one {@link
 * CachedImageException} whose message names the input and the fix, raised before buildx runs, with
 * the previous record intact byte for byte. Each unusable record is a documented fallback instead:
 * one line saying why, a rebuild, a new valid record. docs/reliability.md tables these cases.
 */
class BadInputTest {
  static final String DOCKERFILE =
      "FROM cachedimage-local/busybox:1 AS build\nRUN true\nFROM build AS runtime\nCOPY a.txt /\n";

  @TempDir Path context;
  Path records;
  final List<String> logged = new CopyOnWriteArrayList<>();
  final Map<String, String> engine = new ConcurrentHashMap<>();
  final List<Buildx.Invocation> builds = new CopyOnWriteArrayList<>();
  CachedImages images;
  RecordStore store;

  /** One bad input: what it is, an example, how to apply it, what the message must say. */
  record Case(String input, String example, Act act, List<String> says) {
    @Override
    public String toString() {
      return input + " (" + example + ")";
    }
  }

  interface Act {
    void run(BadInputTest t) throws Exception;
  }

  static Case of(String input, String example, Act act, String... says) {
    return new Case(input, example, act, List.of(says));
  }

  static Stream<Case> errors() {
    return Stream.of(
        // what the Maven parameters and the extension's fallback attributes become
        of(
            "<image> not a repository name",
            "Greeter",
            t -> t.ensure(BuildSpec.builder("Greeter", t.context)),
            "image 'Greeter' is not a valid repository name",
            "lower-case a-z, 0-9"),
        of(
            "<image> with a tag",
            "greeter:1",
            t -> t.ensure(BuildSpec.builder("greeter:1", t.context)),
            "image 'greeter:1' has a tag or digest",
            "expected a repository name such as 'greeter'"),
        of(
            "<platform> several",
            "linux/amd64,linux/arm64",
            t -> t.ensure(t.spec().platform("linux/amd64,linux/arm64")),
            "platform 'linux/amd64,linux/arm64' names several platforms",
            "holds one platform per tag"),
        of(
            "<buildArgs> blank name",
            "< >x</ >",
            t -> t.ensure(t.spec().buildArg(" ", "x")),
            "blank name in [ ]; give every entry a name"),
        of(
            "<imageRepository> not a repository",
            "Not/Valid",
            t -> t.ensure(t.spec().reuse(new ReuseSpec("Not/Valid", null, false))),
            "'Not/Valid' is not a registry repository without tag",
            "e.g. ghcr.io/acme/greeter"),
        of(
            "<reusePush> unknown policy",
            "sometimes",
            t -> t.ensure(t.spec().reuse(new ReuseSpec("localhost:5000/g", "sometimes", false))),
            "'sometimes' is not a push policy: use always, never or outside-pull-requests"),
        // cache specs: exactly buildx's syntax
        of(
            "cache type unknown",
            "type=gah",
            t -> CacheSpec.parseExport("type=gah"),
            "unknown cache type 'gah'; expected one of gha, local, registry, inline, s3, azblob"),
        of(
            "cache without type",
            "dest=/c,mode=max",
            t -> CacheSpec.parseExport("dest=/c,mode=max"),
            "missing type= in 'dest=/c,mode=max'; expected one of gha, local"),
        of(
            "cache attribute not key=value",
            "type=local,dest",
            t -> CacheSpec.parseExport("type=local,dest"),
            "malformed attribute 'dest' in 'type=local,dest'; expected key=value"),
        of(
            "cache attribute the direction needs missing",
            "cacheFrom type=local,dest=/c",
            t -> CacheSpec.parseImport("type=local,dest=/c"),
            "type=local needs src=... but 'type=local,dest=/c' has none"),
        of(
            "cache registry without ref",
            "type=registry,mode=max",
            t -> CacheSpec.parseImport("type=registry,mode=max"),
            "type=registry needs ref=... but 'type=registry,mode=max' has none"),
        of(
            "cache spec with an unterminated quote",
            "type=local,\"dest=/c",
            t -> CacheSpec.parseExport("type=local,\"dest=/c"),
            "unterminated quote in 'type=local,\"dest=/c'"),
        of(
            "cacheFrom type=inline",
            "type=inline",
            t -> CacheSpec.parseImport("type=inline"),
            "type=inline cannot be imported",
            "write type=registry,ref=<image> in cache-from"),
        of(
            "cache mode unknown",
            "type=local,dest=/c,mode=maximum",
            t -> CacheSpec.parseExport("type=local,dest=/c,mode=maximum"),
            "mode=maximum in 'type=local,dest=/c,mode=maximum' is not a cache export mode",
            "expected mode=min",
            "or mode=max"),
        // secrets: buildx's --secret syntax
        of(
            "secret without id",
            "src=/run/token",
            t -> SecretSpec.parse("src=/run/token"),
            "secret without id=...; expected id=NAME[,src=PATH|env=VAR]"),
        of(
            "secret attribute not key=value",
            "id=npmrc,/home/me/.npmrc",
            t -> SecretSpec.parse("id=npmrc,/home/me/.npmrc"),
            "malformed secret attribute '/home/me/.npmrc'; expected id=NAME[,src=PATH|env=VAR]"),
        of(
            "secret key unknown",
            "id=npmrc,file=/home/me/.npmrc",
            t -> SecretSpec.parse("id=npmrc,file=/home/me/.npmrc"),
            "unknown key 'file' in secret 'id=npmrc,file=/home/me/.npmrc'",
            "expected id=NAME[,src=PATH|env=VAR]"),
        of(
            "secret src file missing",
            "id=npmrc,src=<context>/no-npmrc",
            t ->
                t.ensure(
                    t.spec()
                        .secret(SecretSpec.parse("id=npmrc,src=" + t.context.resolve("npmrc")))),
            "secret 'npmrc': no file ",
            "create it before the build, or fix src= in <secrets>"),
        // the context and the Dockerfile
        of(
            "<contextDirectory> missing",
            "<context>/missing",
            t -> t.ensure(BuildSpec.builder("greeter", t.context.resolve("missing"))),
            "context directory not found: ",
            "(set <contextDirectory>)"),
        of(
            "<contextDirectory> is a file",
            "<context>/Dockerfile",
            t -> t.ensure(BuildSpec.builder("greeter", t.context.resolve("Dockerfile"))),
            "Dockerfile is a file, not a directory",
            "set <contextDirectory> to the directory"),
        of(
            "<dockerfile> missing",
            "<context>/nope.Dockerfile",
            t -> t.ensure(t.spec().dockerfile(t.context.resolve("nope.Dockerfile"))),
            "Dockerfile not found: ",
            "(set <dockerfile> or put a Dockerfile in the context directory)"),
        of(
            "<target> names no stage",
            "--target runtme",
            t -> t.ensure(t.spec().target("runtme")),
            "target stage 'runtme' is not in ",
            "its stages are build, runtime. Set <target> to one of them"),
        of(
            "<target> in a Dockerfile without stage names",
            "--target app, FROM without AS",
            t -> {
              Files.writeString(t.context.resolve("plain.Dockerfile"), "FROM scratch\n");
              t.ensure(t.spec().dockerfile(t.context.resolve("plain.Dockerfile")).target("app"));
            },
            "which names no stage (name one with FROM <image> AS app)"),
        // .dockerignore: the patterns BuildKit rejects with "syntax error in pattern"
        of(
            ".dockerignore unclosed [",
            "app/[a",
            t -> t.ignore("# build output\ntarget/\napp/[a\n"),
            ".dockerignore line 3: 'app/[a' is not a valid pattern",
            "(the [ at 5 is not closed by ] (write \\[ for a literal [))",
            "fix or remove it (docker build fails on it with 'syntax error in pattern')"),
        of(
            ".dockerignore range without an end",
            "[a-]",
            t -> t.ignore("[a-]\n"),
            ".dockerignore line 1: '[a-]' is not a valid pattern (the class at 1 is empty or has a"
                + " range without an end)"),
        of(
            ".dockerignore trailing backslash",
            "logs\\",
            t -> t.ignore("logs\\\n"),
            ".dockerignore line 1: 'logs\\' is not a valid pattern (a trailing \\ escapes nothing)"),
        // the environment: which engine
        of(
            "DOCKER_HOST not an address",
            "DOCKER_HOST=localhost",
            t -> t.endpoint(Map.of("DOCKER_HOST", "localhost")),
            "DOCKER_HOST 'localhost' is not an engine address: expected unix:///var/run/docker.sock,"
                + " tcp://HOST:PORT",
            "Fix DOCKER_HOST, or unset it"),
        of(
            "DOCKER_HOST not a URI",
            "DOCKER_HOST=tcp://[::1",
            t -> t.endpoint(Map.of("DOCKER_HOST", "tcp://[::1")),
            "DOCKER_HOST 'tcp://[::1' is not an engine address"),
        of(
            "DOCKER_TLS_VERIFY without certificates",
            "DOCKER_CERT_PATH=/nowhere",
            t ->
                t.endpoint(
                    Map.of(
                        "DOCKER_HOST", "tcp://127.0.0.1:2376",
                        "DOCKER_TLS_VERIFY", "1",
                        "DOCKER_CERT_PATH", "/nowhere")),
            "DOCKER_TLS_VERIFY is set, but DOCKER_CERT_PATH /nowhere has no ca.pem",
            "or unset DOCKER_TLS_VERIFY"),
        of(
            "docker CLI not on the PATH",
            "PATH without docker",
            t ->
                new CliBuildx(
                        command -> {
                          List<String> moved = new java.util.ArrayList<>(command);
                          moved.set(0, t.context.resolve("no-docker/docker").toString());
                          return new ProcessBuilder(moved);
                        },
                        java.time.Duration.ofSeconds(20),
                        () -> DockerEndpoint.of("unix:///var/run/docker.sock", "test"))
                    .info(null),
            "Cannot run 'docker buildx' (",
            "Install the Docker CLI with the buildx plugin 0.21 or newer and put 'docker' on the"
                + " PATH."),
        of(
            "DOCKER_CONTEXT names no context",
            "DOCKER_CONTEXT=colima",
            t -> t.endpoint(Map.of("DOCKER_CONTEXT", "colima")),
            "docker context 'colima' (from DOCKER_CONTEXT) does not exist",
            "Run 'docker context ls' and 'docker context use <name>'"),
        of(
            "docker config.json currentContext not a string",
            "\"currentContext\": 1",
            t -> {
              Files.createDirectories(t.context.resolve("home/.docker"));
              Files.writeString(
                  t.context.resolve("home/.docker/config.json"), "{\"currentContext\": 1}");
              t.endpoint(Map.of());
            },
            "config.json: \"currentContext\" is not a plain JSON string",
            "Fix or remove it (docker context use default)"));
  }

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(context.resolve("a.txt"), "a");
    records = context.resolve(RecordStore.DEFAULT_DIRECTORY);
    store = new RecordStore(records, "greeter");
    images = new CachedImages(log(), new Engine(), new ScriptedBuildx(), context.resolve("cache"));
    images.ensure(spec().build(), records); // the record every case must leave intact
    assertThat(builds).hasSize(1);
    logged.clear();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void isOneErrorNamingTheInputAndTheFixAndKeepsTheRecord(Case c) throws Exception {
    byte[] before = Files.readAllBytes(store.recordFile());
    Throwable thrown = catchThrowable(() -> c.act().run(this));
    assertThat(thrown).isInstanceOf(CachedImageException.class);
    for (String part : c.says()) {
      assertThat(thrown.getMessage()).contains(part);
    }
    assertThat(builds).as("buildx never ran").hasSize(1);
    assertThat(Files.readAllBytes(store.recordFile())).isEqualTo(before);
  }

  /** An unusable record: read as none, with why, and replaced by a valid one from a rebuild. */
  static Stream<Case> unusableRecords() {
    return Stream.of(
        of(
            "record truncated",
            "first 100 bytes",
            t -> t.rewriteRecord(json -> json.substring(0, 100)),
            "not valid JSON (Unexpected end-of-input",
            " at line "),
        of(
            "record not JSON",
            "hello",
            t -> t.rewriteRecord(json -> "hello"),
            "not valid JSON (Unrecognized token 'hello'",
            " at line 1, column "),
        of(
            "record empty",
            "0 bytes",
            t -> t.rewriteRecord(json -> ""),
            "not valid JSON (no content: the file is empty"),
        of(
            "record of a newer format",
            "\"formatVersion\" : 99",
            t ->
                t.rewriteRecord(
                    json -> json.replaceAll("\"formatVersion\" : \\d+", "\"formatVersion\" : 99")),
            "record format 99, this version reads "),
        of(
            "record of another image",
            "\"image\" : \"other\"",
            t ->
                t.rewriteRecord(
                    json -> json.replace("\"image\" : \"greeter\"", "\"image\" : \"other\"")),
            "it is the record of other"),
        of(
            "record JSON of another shape",
            "\"tags\" : [ 1, ...",
            t -> t.rewriteRecord(json -> json.replace("\"tags\" : [", "\"tags\" : [ 1, ")),
            "not a build record of this version (ClassCastException)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableRecords")
  void anUnusableRecordIsNoneWithTheReasonAndIsReplaced(Case c) throws Exception {
    c.act().run(this);
    EnsureResult result = images.ensure(spec().build(), records);
    assertThat(result.built()).isTrue();
    String building =
        logged.stream()
            .filter(l -> l.startsWith("INFO greeter: building"))
            .findFirst()
            .orElseThrow();
    assertThat(building)
        .startsWith("INFO greeter: building (no usable record (" + store.recordFile() + ": ")
        .doesNotContain("\n");
    for (String part : c.says()) {
      assertThat(building).contains(part);
    }
    assertThat(store.record()).contains(result.record());
    assertThat(images.ensure(spec().build(), records).built()).isFalse();
  }

  BuildSpec.Builder spec() {
    return BuildSpec.builder("greeter", context);
  }

  void ensure(BuildSpec.Builder builder) {
    images.ensure(builder.build(), records);
  }

  void endpoint(Map<String, String> environment) {
    DockerEndpoints.resolve(environment, context.resolve("home"));
  }

  void ignore(String text) throws IOException {
    Files.writeString(context.resolve(".dockerignore"), text);
    ensure(spec());
  }

  void rewriteRecord(java.util.function.UnaryOperator<String> change) throws IOException {
    Path file = store.recordFile();
    Files.writeString(file, change.apply(Files.readString(file, StandardCharsets.UTF_8)));
    Files.deleteIfExists(store.indexFile()); // else the index answers without the record
  }

  BuildLog log() {
    return new BuildLog() {
      public void info(String m) {
        logged.add("INFO " + m);
      }

      public void warn(String m) {
        logged.add("WARN " + m);
      }

      public void debug(String m) {}

      public void progress(String line) {}
    };
  }

  final class Engine implements DockerImages {
    @Override
    public boolean isReachable() {
      return true;
    }

    @Override
    public Optional<String> findImage(String ref) {
      return Optional.ofNullable(engine.get(ref));
    }
  }

  /** Loads one image per build, named by its content tag. */
  final class ScriptedBuildx implements Buildx {
    @Override
    public Info info(String builder) {
      return new Info("0.29.1", "default", "docker", true);
    }

    @Override
    public int build(Invocation invocation, Consumer<String> output) {
      builds.add(invocation);
      String id = "sha256:" + String.valueOf(builds.size()).repeat(64);
      try {
        Files.writeString(invocation.metadataFile(), "{\"containerimage.digest\":\"" + id + "\"}");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      invocation.tags().forEach(tag -> engine.put(tag, id));
      engine.put(id, id);
      return 0;
    }
  }
}
