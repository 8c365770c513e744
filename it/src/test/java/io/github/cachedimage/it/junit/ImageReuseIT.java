package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.registry.ImageReference;
import io.github.cachedimage.core.registry.RegistryClient;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.DockerSpy;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fingerprint-keyed reuse and the push goal against a real registry, as CI runners meet them: the
 * first runner builds and pushes the key, a fresh runner (another checkout path, no record, no
 * image) pulls it without any buildx process, the extension takes the same path, changed inputs
 * build and push a new key, the push goal publishes only a fresh record, and a registry that is
 * down costs a warning, not the build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageReuseIT {
  static final String IMAGE = "cachedimage-it/greeter"; // the sample's tests ask for this name
  static final String[] VERSIONS = {"-Djunit.version=5.10.3", "-Dtestcontainers.version=1.21.4"};

  static LocalRegistry registry;
  static String repository;
  static MavenSample fresh;
  static BuildRecord pulled;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(
        LocalRegistry.available(), "needs Debian's docker-registry (scripts/test installs it)");
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    registry = LocalRegistry.start(Files.createTempDirectory("cached-image-reuse-registry-"));
    repository = registry.address() + "/cachedimage-it/reuse";
    forgetLocally();
  }

  @AfterAll
  static void tearDown() {
    forgetLocally();
    if (registry != null) {
      registry.close();
    }
  }

  /** A fresh runner's engine: neither the image nor the key's local tag. */
  static void forgetLocally() {
    Docker.removeRepository(IMAGE);
    if (repository != null) {
      Docker.removeRepository(repository);
    }
  }

  static String[] args(String... more) {
    String[] all = new String[more.length + VERSIONS.length + 1];
    System.arraycopy(more, 0, all, 0, more.length);
    System.arraycopy(VERSIONS, 0, all, more.length, VERSIONS.length);
    all[all.length - 1] = "-Dcachedimage.imageRepository=" + repository;
    return all;
  }

  @Test
  @Order(1)
  void theFirstRunnerBuildsAndPushesTheKey() throws Exception {
    MavenSample first = JunitSamples.copy("greeter");
    MavenSample.Run run = first.run(args("verify", "-DskipITs")).assertSuccess();
    run.assertLogContains(IMAGE + ": no image for these inputs in " + repository + ":fp-");
    run.assertLogContains(IMAGE + ": building (no record)");
    assertThat(run.linesContaining(IMAGE + ": pushed " + repository + ":fp-")).hasSize(1);
    assertThat(keyTags()).hasSize(1);
  }

  @Test
  @Order(2)
  void aFreshRunnerPullsTheImageWithoutBuildxAndTestsRunIt() throws Exception {
    forgetLocally();
    fresh = JunitSamples.copy("greeter"); // another checkout path, no target/
    DockerSpy spy =
        DockerSpy.passThrough(fresh.directory().resolveSibling(fresh.directory() + "-spy"));
    fresh.environment("PATH", spy.path());
    MavenSample.Run run = fresh.run(args("verify")).assertSuccess();
    pulled = fresh.record(IMAGE).orElseThrow();
    assertThat(JunitSamples.pluginLines(run, IMAGE + ": pulled " + pulled.shortImageId()))
        .singleElement()
        .asString()
        .contains("(built earlier from the same inputs; no record here)");
    assertThat(spy.calls()).noneMatch(call -> call.contains("buildx"));
    assertThat(pulled.pulledFrom()).startsWith(repository + ":fp-" + keyTags().get(0).substring(3));
    assertThat(Docker.imageId(pulled.contentTag())).contains(pulled.imageId());
    // the tests ran the pulled image, found fresh
    assertThat(
            JunitSamples.extensionLines(
                run, IMAGE + ": up to date (" + pulled.shortImageId() + ", inputs unchanged)"))
        .isNotEmpty();
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
  }

  @Test
  @Order(3)
  void theExtensionTakesTheSamePathWhenTheImageIsGone() throws Exception {
    forgetLocally();
    MavenSample.Run run = fresh.run(args("verify", "-Dcachedimage.skip=true")).assertSuccess();
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": pulled sha256:")).hasSize(1);
    assertThat(JunitSamples.extensionLines(run, IMAGE + ": building")).isEmpty();
    run.assertLogContains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
  }

  @Test
  @Order(4)
  void changedInputsBuildAndPushANewKey() throws Exception {
    greet(fresh, "hallo");
    MavenSample.Run run =
        fresh.run(args("verify", "-DskipITs", "-Dexpected.greeting=hallo")).assertSuccess();
    run.assertLogContains(IMAGE + ": building (inputs changed: ");
    assertThat(run.linesContaining(IMAGE + ": pushed " + repository + ":fp-")).hasSize(1);
    assertThat(keyTags()).hasSize(2);
  }

  @Test
  @Order(5)
  void pushPublishesTheTestedImageAndRefusesAStaleOne() throws Exception {
    MavenSample.Run run =
        fresh
            .run(
                args(
                    "cached-image:push",
                    "-Dcachedimage.image=" + IMAGE,
                    "-Dcachedimage.pushTags=1.0,stable"))
            .assertSuccess();
    BuildRecord record = fresh.record(IMAGE).orElseThrow();
    RegistryClient client = new RegistryClient(Duration.ofSeconds(10));
    String pushedJson =
        Files.readString(fresh.file("target/cached-image/cachedimage-it_greeter.pushed.json"));
    for (String tag : List.of("1.0", "stable")) {
      String reference = repository + ":" + tag;
      Optional<String> digest =
          client.manifestDigest(ImageReference.parse(reference), Optional.empty());
      assertThat(digest).isPresent();
      run.assertLogContains(IMAGE + ": pushed " + reference + " (" + digest.get() + ")");
      assertThat(pushedJson).contains(reference).contains(digest.get());
    }
    assertThat(pushedJson).contains(record.imageId());

    // an input changed since the tested build (only target/classes goes into the image)
    fresh.write("target/classes/greeter/notes.txt", "changed after the tests ran");
    fresh
        .run(
            args("cached-image:push", "-Dcachedimage.image=" + IMAGE, "-Dcachedimage.pushTags=1.1"))
        .assertFailure()
        .assertLogContains(
            IMAGE
                + ": refusing to push a stale image (inputs changed:"
                + " target/classes/greeter/notes.txt)");
    assertThat(client.manifestDigest(ImageReference.parse(repository + ":1.1"), Optional.empty()))
        .isEmpty();
    fresh
        .run(
            args(
                "cached-image:push", "-Dcachedimage.image=" + IMAGE, "-Dcachedimage.skipPush=true"))
        .assertSuccess()
        .assertLogContains("cached-image: push skipped (cachedimage.skipPush)");
  }

  @Test
  @Order(6)
  void aRegistryThatIsDownCostsAWarningNotTheBuild() throws Exception {
    registry.close();
    MavenSample.Run run =
        fresh.run(args("verify", "-DskipITs", "-Dexpected.greeting=servus")).assertSuccess();
    run.assertLogContains("[WARNING] " + IMAGE + ": reuse skipped, building instead: ");
    assertThat(run.linesContaining(IMAGE + ": built ")).hasSize(1);

    greet(fresh, "moin");
    fresh
        .run(args("verify", "-DskipITs", "-Dcachedimage.reuseStrict=true"))
        .assertFailure()
        .assertLogContains("(reuseStrict is set; unset it to build instead)");
  }

  private static void greet(MavenSample sample, String greeting) throws IOException {
    Path source = sample.file("src/main/java/greeter/Greeter.java");
    Files.writeString(
        source,
        Files.readString(source)
            .replaceAll("GREETING = \"[a-z]+\"", "GREETING = \"" + greeting + "\""));
  }

  /** The registry's {@code fp-} tags of the reuse repository. */
  private static List<String> keyTags() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://" + registry.address() + "/v2/cachedimage-it/reuse/tags/list"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("\"(fp-[0-9a-f]{64})\"").matcher(r.body());
    List<String> tags = new java.util.ArrayList<>();
    while (m.find()) {
      tags.add(m.group(1));
    }
    return tags;
  }
}
