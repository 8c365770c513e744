package io.github.cachedimage.it.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.it.support.Docker;
import io.github.cachedimage.it.support.ItPaths;
import io.github.cachedimage.it.support.Leaks;
import io.github.cachedimage.it.support.LocalRegistry;
import io.github.cachedimage.it.support.MavenSample;
import io.github.cachedimage.it.support.Processes;
import io.github.cachedimage.it.support.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Registry credentials the Maven way, against a real registry with htpasswd auth: a settings.xml
 * {@code <server>} (plain and Maven-encrypted), the docker CLI's config file, a wrong password
 * (warning, or an error in strict mode) and none at all. A planted password never shows up in any
 * output or file of the runs, at debug level.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReuseCredentialsIT {
  static final String IMAGE = "cachedimage-it/greeter";
  static final String USER = "ci";
  static final String PASSWORD = "pl4nted-" + UUID.randomUUID();
  static final String[] VERSIONS = {"-Djunit.version=5.10.3", "-Dtestcontainers.version=1.21.4"};

  static LocalRegistry registry;
  static String repository;
  static final List<MavenSample> samples = new ArrayList<>();
  static final List<MavenSample.Run> runs = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(LocalRegistry.htpasswdAvailable(), "needs htpasswd (apache2-utils)");
    TestImages.ensureBaseImages();
    JunitSamples.prefetch("5.10.3", "1.10.3", "1.21.4");
    registry =
        LocalRegistry.startWithHtpasswd(
            Files.createTempDirectory("cached-image-auth-registry-"), USER, PASSWORD);
    repository = registry.address() + "/cachedimage-it/private";
    forgetLocally();
  }

  @AfterAll
  static void tearDown() {
    forgetLocally();
    if (registry != null) {
      registry.close();
    }
  }

  static void forgetLocally() {
    Docker.removeRepository(IMAGE);
    if (repository != null) {
      Docker.removeRepository(repository);
    }
  }

  static MavenSample sample() throws IOException {
    MavenSample sample = JunitSamples.copy("greeter");
    samples.add(sample);
    return sample;
  }

  static MavenSample.Run run(MavenSample sample, String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of("verify", "-DskipITs", "-X"));
    args.addAll(List.of(VERSIONS));
    args.add("-Dcachedimage.imageRepository=" + repository);
    args.addAll(List.of(more));
    MavenSample.Run run = sample.run(args.toArray(String[]::new));
    runs.add(run);
    return run;
  }

  @Test
  @Order(1)
  void settingsXmlCredentialsPushTheKey() throws Exception {
    MavenSample first = sample().server(registry.address(), USER, PASSWORD);
    MavenSample.Run run = run(first).assertSuccess();
    assertThat(run.linesContaining(IMAGE + ": pushed " + repository + ":fp-")).hasSize(1);
  }

  @Test
  @Order(2)
  void dockerConfigCredentialsPullItOnAFreshRunner() throws Exception {
    forgetLocally();
    Path config = Files.createTempDirectory("cached-image-docker-config-");
    String auth =
        Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        config.resolve("config.json"),
        "{\"auths\": {\"" + registry.address() + "\": {\"auth\": \"" + auth + "\"}}}");
    MavenSample fresh = sample().environment("DOCKER_CONFIG", config.toString());
    MavenSample.Run run = run(fresh).assertSuccess();
    assertThat(run.linesContaining(IMAGE + ": pulled sha256:")).hasSize(1);
    run.assertLogLacks(IMAGE + ": building");
  }

  @Test
  @Order(3)
  void encryptedSettingsPasswordsAreDecryptedAsMavenDoes() throws Exception {
    forgetLocally();
    Path security = Files.createTempDirectory("cached-image-security-").resolve("security.xml");
    String master = encrypt("--encrypt-master-password", "master-" + UUID.randomUUID(), null);
    Files.writeString(
        security, "<settingsSecurity><master>" + master + "</master></settingsSecurity>\n");
    String encrypted = encrypt("--encrypt-password", PASSWORD, security);
    assertThat(encrypted).startsWith("{").doesNotContain(PASSWORD);
    MavenSample fresh = sample().server(registry.address(), USER, encrypted);
    MavenSample.Run run = run(fresh, "-Dsettings.security=" + security).assertSuccess();
    assertThat(run.linesContaining(IMAGE + ": pulled sha256:")).hasSize(1);
  }

  @Test
  @Order(4)
  void aWrongPasswordWarnsOrFailsInStrictMode() throws Exception {
    forgetLocally();
    MavenSample wrong = sample().server(registry.address(), USER, "not-" + PASSWORD);
    MavenSample.Run warned = run(wrong).assertSuccess();
    warned.assertLogContains(
        "[WARNING] "
            + IMAGE
            + ": reuse skipped, building instead: registry "
            + registry.address()
            + " refused access to cachedimage-it/private with the credentials of user 'ci' from"
            + " settings.xml server '"
            + registry.address()
            + "'");
    assertThat(warned.linesContaining(IMAGE + ": built ")).hasSize(1);

    forgetLocally();
    MavenSample strict = sample().server(registry.address(), USER, "not-" + PASSWORD);
    run(strict, "-Dcachedimage.reuseStrict=true")
        .assertFailure()
        .assertLogContains("refused access to cachedimage-it/private")
        .assertLogContains("(reuseStrict is set; unset it to build instead)");
  }

  @Test
  @Order(5)
  void noCredentialsAtAllSaysWhatWasTriedAndWhatToDo() throws Exception {
    forgetLocally();
    Path empty = Files.createTempDirectory("cached-image-empty-docker-config-");
    MavenSample anonymous = sample().environment("DOCKER_CONFIG", empty.toString());
    run(anonymous)
        .assertSuccess()
        .assertLogContains(
            "no credentials for "
                + registry.address()
                + ": add a <server> with id "
                + registry.address()
                + " to settings.xml or run docker login (tried: settings.xml <server> entries,"
                + " docker config "
                + empty.resolve("config.json")
                + ")");
  }

  @Test
  @Order(6)
  void thePasswordIsInNoOutputAndNoFile() throws Exception {
    assertThat(runs).hasSizeGreaterThanOrEqualTo(6);
    assertThat(runs).allMatch(r -> r.log().contains("[DEBUG]")); // the runs were at debug level
    Leaks.assertNotInLogs(runs, PASSWORD);
    // records, indexes, surefire and failsafe reports, logs: everything the runs wrote (the
    // settings file with the password is next to each sample, not in it)
    List<Path> files = Leaks.filesUnder(samples.stream().map(MavenSample::directory).toList());
    assertThat(files).anyMatch(f -> f.toString().endsWith(".index"));
    Leaks.assertNotInFiles(files, PASSWORD);
  }

  /** {@code mvn --encrypt-password} / {@code --encrypt-master-password}, as users run them. */
  private static String encrypt(String option, String value, Path security) {
    List<String> command =
        new ArrayList<>(List.of(ItPaths.mavenHome() + "/bin/mvn", "-q", option, value));
    if (security != null) {
      command.add("-Dsettings.security=" + security);
    }
    String out =
        Processes.run(command, Duration.ofMinutes(1), null, Map.of()).requireSuccess().output();
    return out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow().strip();
  }
}
