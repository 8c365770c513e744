package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.it.gha.GhaCacheEmulator;
import io.github.cachedimage.it.support.CommandLines;
import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.Leaks;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.TestImages;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Four planted secrets through the whole flow at debug level ({@code mvn -X verify}): a build
 * secret from an environment variable ({@code env=}) and one from a file ({@code src=}), read by a
 * {@code RUN --mount=type=secret} step; a registry password (htpasswd registry, settings.xml) that
 * the push of the reuse key needs; and {@code ACTIONS_RUNTIME_TOKEN}, without which the gha cache
 * emulator accepts nothing. {@code @CachedImage} then runs the image in failsafe. None of the
 * values is in Maven's output, in any file the run wrote (records, index, reports, the job summary)
 * or on any process's command line, sampled every 20 ms while the build ran.
 */
class SecretsIT {
  static final String NONCE = UUID.randomUUID().toString().substring(0, 8);
  static final String IMAGE = "cachedimage-it/secrets-" + NONCE;
  static final String USER = "ci";
  static final String BUILD_ENV_SECRET = "pl4nted-env-" + UUID.randomUUID();
  static final String BUILD_FILE_SECRET = "pl4nted-file-" + UUID.randomUUID();
  static final String PASSWORD = "pl4nted-password-" + UUID.randomUUID();

  static LocalRegistry registry;
  static GhaCacheEmulator emulator;
  static String repository;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(LocalRegistry.htpasswdAvailable(), "needs htpasswd (apache2-utils)");
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    registry =
        LocalRegistry.startWithHtpasswd(
            Files.createTempDirectory("cached-image-secrets-registry-"), USER, PASSWORD);
    repository = registry.address() + "/cachedimage-it/secrets";
    emulator = GhaCacheEmulator.start();
  }

  @AfterAll
  static void tearDown() {
    if (registry != null) {
      registry.close();
    }
    if (emulator != null) {
      emulator.close();
    }
    Docker.removeRepository(IMAGE);
    if (repository != null) {
      Docker.removeRepository(repository);
    }
  }

  /** What {@code sha256sum} prints for the two build secrets, as the Dockerfile reads them. */
  static String digest() throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256")
                .digest((BUILD_ENV_SECRET + BUILD_FILE_SECRET).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void noPlantedSecretIsInAnyOutputFileOrCommandLine() throws Exception {
    MavenSample sample = JunitSamples.copy("greeter");
    sample.write(
        "Dockerfile",
        String.join(
            "\n",
            "FROM " + TestImages.BUSYBOX,
            // the step proves both secrets arrived (their digest is in the image), and takes long
            // enough for the sampler to see buildx at work; the nonce keeps BuildKit from reusing
            // an earlier run's step, as secret values are not part of its cache key
            "RUN --mount=type=secret,id=envsecret,required=true"
                + " --mount=type=secret,id=filesecret,required=true"
                + " sh -c 'echo "
                + NONCE
                + " > /nonce && cat /run/secrets/envsecret /run/secrets/filesecret | sha256sum"
                + " > /secrets.sha256 && sleep 2'",
            "COPY target/classes/ /app/",
            "CMD [\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 300 & wait\"]",
            ""));
    Files.delete(sample.file("src/test/java/greeter/GreeterIT.java"));
    Files.delete(sample.file("src/test/java/greeter/GreeterAgainIT.java"));
    // @CachedImage runs the image in failsafe and reads the digest the build wrote
    sample.write(
        "src/test/java/greeter/SecretsUsedIT.java",
        String.join(
            "\n",
            "package greeter;",
            "",
            "import static org.junit.jupiter.api.Assertions.assertEquals;",
            "",
            "import io.github.cachedimage.junit.CachedImage;",
            "import org.junit.jupiter.api.Test;",
            "import org.testcontainers.containers.GenericContainer;",
            "",
            "class SecretsUsedIT {",
            "  @CachedImage(\"" + IMAGE + "\")",
            "  static GenericContainer<?> app;",
            "",
            "  @Test",
            "  void theBuildReadBothSecrets() throws Exception {",
            "    assertEquals(\"" + digest() + "  -\",",
            "        app.execInContainer(\"cat\", \"/secrets.sha256\").getStdout().strip());",
            "  }",
            "}",
            ""));
    Path secretFile = Files.createTempFile("cached-image-secret-", ".txt");
    Files.writeString(secretFile, BUILD_FILE_SECRET);
    Path summary = sample.directory().resolve("step-summary.md");
    sample
        .server(registry.address(), USER, PASSWORD)
        .environment("SECRETS_IT_VALUE", BUILD_ENV_SECRET)
        .environment("GITHUB_ACTIONS", "true")
        .environment("GITHUB_STEP_SUMMARY", summary.toString());
    emulator.runnerEnvironment().forEach(sample::environment);

    MavenSample.Run run;
    Set<String> commandLines;
    int rounds;
    try (CommandLines seen = CommandLines.sample()) {
      run =
          sample.run(
              "verify",
              "-X",
              "-Djunit.version=5.10.3",
              "-Dtestcontainers.version=1.21.4",
              "-Dsample.image=" + IMAGE,
              "-Dcachedimage.secrets=id=envsecret,env=SECRETS_IT_VALUE;id=filesecret,src="
                  + secretFile,
              "-Dcachedimage.cacheFrom=type=gha",
              "-Dcachedimage.cacheTo=type=gha,mode=max",
              "-Dcachedimage.imageRepository=" + repository);
      commandLines = seen.all();
      rounds = seen.rounds();
    }
    run.assertSuccess();

    // the planted values were used: the build read both secrets (@CachedImage's test checked
    // the digest inside the image, and it ran)...
    BuildRecord record = sample.record(IMAGE).orElseThrow();
    assertThat(run.log()).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
    assertThat(
            Docker.docker("run", "--rm", record.contentTag(), "cat", "/secrets.sha256")
                .requireSuccess()
                .output()
                .strip())
        .isEqualTo(digest() + "  -");
    // ...the push needed the password (the registry refuses anyone without it)...
    assertThat(run.linesContaining(IMAGE + ": pushed " + repository + ":fp-")).hasSize(1);
    HttpURLConnection anonymous =
        (HttpURLConnection)
            URI.create("http://" + registry.address() + "/v2/").toURL().openConnection();
    assertThat(anonymous.getResponseCode()).isEqualTo(401);
    // ...the gha cache took the export, which it accepts only with the token...
    assertThat(emulator.committedKeys()).isNotEmpty();
    // ...and the sampler watched buildx build it
    assertThat(commandLines).anyMatch(c -> c.contains("buildx build") && c.contains("--secret"));
    assertThat(run.log()).contains("[DEBUG]");

    String[] planted = {BUILD_ENV_SECRET, BUILD_FILE_SECRET, PASSWORD, emulator.token()};
    // Maven's own maven-resources-plugin prints every property at -X, the environment included
    // ("[DEBUG] env.NAME: value", apache/maven-resources-plugin#133): Maven's leak of every
    // variable, which no plugin can prevent (docs/reliability.md). Those lines only are excused.
    Leaks.assertNotInLogs(List.of(run), line -> line.startsWith("[DEBUG] env."), planted);
    List<Path> files = Leaks.filesUnder(List.of(sample.directory(), sample.cacheDirectory()));
    assertThat(files)
        .contains(summary)
        .anyMatch(f -> f.toString().endsWith(".index"))
        .anyMatch(f -> f.getFileName().toString().equals("TEST-greeter.SecretsUsedIT.xml"));
    // the Maven log (checked above, with the same excuse) is written into the sample directory
    Path log = run.logFile();
    Leaks.assertNotInFiles(files.stream().filter(f -> !f.equals(log)).toList(), planted);
    for (String value : planted) {
      assertThat(commandLines).noneMatch(c -> c.contains(value));
    }
    System.out.printf(
        "FIGURE secrets IT: mvn -X verify %d ms, %d command lines in %d samples of /proc%n",
        run.took().toMillis(), commandLines.size(), rounds);
  }
}
