package io.github.cachedimage.core.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprinterTest {
  @TempDir Path context;
  BuildSpec spec;

  @BeforeEach
  void context() throws IOException {
    write("Dockerfile", "FROM scratch\nCOPY . /\n");
    write("src/a.txt", "a");
    write("src/b.txt", "b");
    write("notes.md", "ignored");
    write(".dockerignore", "*.md\ntarget\n");
    spec = BuildSpec.builder("greeter", context).build();
    age();
  }

  private void write(String path, String content) throws IOException {
    Path file = context.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  /** Backdates every file so no entry is racy. */
  private static final Instant OLD = Instant.parse("2024-01-01T00:00:00.123456789Z");

  private void age() throws IOException {
    FileTime old = FileTime.from(OLD);
    try (Stream<Path> files = Files.walk(context)) {
      for (Path p : files.toList()) {
        Files.setLastModifiedTime(p, old);
      }
    }
  }

  private Fingerprinter.Result fp(Map<String, FileState> previous) {
    return Fingerprinter.fingerprint(
        spec, previous, List.of(context.resolve("target/cached-image")));
  }

  @Test
  void aFileNameThatIsNotUtf8IsScannedByItsBytes() throws Exception {
    // "caf" + Latin-1 e-acute: a name no String round-trips; made by the shell, as Java cannot
    Process touch =
        new ProcessBuilder("sh", "-c", "printf x > \"$(printf 'src/caf\\351.txt')\"")
            .directory(context.toFile())
            .start();
    assertThat(touch.waitFor()).isZero();
    age();

    Fingerprinter.Result result = fp(Map.of());
    String odd = "src/caf\uFFFD.txt";
    assertThat(result.files()).containsKey(odd);
    assertThat(result.files().get(odd).sha256()).isEqualTo(sha256Of("x"));
    // stable: the same listing again
    assertThat(fp(result.files()).stats()).isEqualTo(result.stats());
  }

  private static String sha256Of(String text) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void sameInputsSameFingerprintAndTheStatCacheAvoidsRehashing() {
    Fingerprinter.Result first = fp(Map.of());
    assertThat(first.rehashed()).isEqualTo(4); // Dockerfile, .dockerignore, a, b
    assertThat(first.files())
        .containsOnlyKeys(".dockerignore", "Dockerfile", "src", "src/a.txt", "src/b.txt");
    Fingerprinter.Result second = fp(first.files());
    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(second.rehashed()).isZero();
  }

  @Test
  void ignoredFilesAndTheRecordDirectoryDoNotCount() throws IOException {
    String before = fp(Map.of()).fingerprint();
    write("notes.md", "changed");
    write("target/cached-image/greeter.json", "{}");
    write("target/other.bin", "x");
    assertThat(fp(Map.of()).fingerprint()).isEqualTo(before);
  }

  @Test
  void contentModeAddRemoveAndSpecChangesAreNamed() throws IOException {
    Fingerprinter.Result base = fp(Map.of());
    write("src/a.txt", "A");
    Files.setLastModifiedTime(context.resolve("src/a.txt"), FileTime.from(OLD.plusSeconds(1)));
    Fingerprinter.Result changed = fp(base.files());
    assertThat(changed.fingerprint()).isNotEqualTo(base.fingerprint());
    assertThat(changed.rehashed()).isEqualTo(1);
    assertThat(Fingerprinter.changes(spec, base.files(), spec, changed.files()))
        .containsExactly("src/a.txt");

    Files.setPosixFilePermissions(
        context.resolve("src/b.txt"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write("src/c.txt", "c");
    Files.delete(context.resolve("src/a.txt"));
    BuildSpec other =
        spec.toBuilder()
            .buildArg("JAR", "x.jar")
            .target("t")
            .secret(new SecretSpec("npmrc", "src=/x"))
            .build();
    Fingerprinter.Result now = Fingerprinter.fingerprint(other, changed.files(), List.of());
    assertThat(Fingerprinter.changes(spec, base.files(), other, now.files()))
        .containsExactly(
            "src/a.txt", "src/b.txt", "src/c.txt", "build-arg JAR", "target", "secrets");
  }

  @Test
  void theReuseKeyIsTheSameInAnotherCheckoutAndChangesWithAnyInputOrBase(@TempDir Path other)
      throws IOException {
    Map<String, String> base = Map.of("busybox:1", "sha256:" + "1".repeat(64));
    String here = Fingerprinter.reuseKey(fp(Map.of()), base);
    // the same files in another directory, written at another time: another runner's checkout
    for (String path : List.of("Dockerfile", "src/a.txt", "src/b.txt", ".dockerignore")) {
      Path copy = other.resolve(path);
      Files.createDirectories(copy.getParent());
      Files.copy(context.resolve(path), copy);
    }
    BuildSpec elsewhere = BuildSpec.builder("greeter", other).build();
    Fingerprinter.Result there =
        Fingerprinter.fingerprint(elsewhere, Map.of(), List.of(other.resolve("target")));
    assertThat(Fingerprinter.reuseKey(there, base)).isEqualTo(here).hasSize(64);

    assertThat(
            Fingerprinter.reuseKey(fp(Map.of()), Map.of("busybox:1", "sha256:" + "2".repeat(64))))
        .isNotEqualTo(here);
    write("src/a.txt", "changed");
    assertThat(Fingerprinter.reuseKey(fp(Map.of()), base)).isNotEqualTo(here);
  }

  @Test
  void onlySecretIdsCount() {
    BuildSpec a = spec.toBuilder().secret(new SecretSpec("npmrc", "src=/home/a/.npmrc")).build();
    BuildSpec b = spec.toBuilder().secret(new SecretSpec("npmrc", "env=NPMRC")).build();
    assertThat(Fingerprinter.fingerprint(a, Map.of(), List.of()).fingerprint())
        .isEqualTo(Fingerprinter.fingerprint(b, Map.of(), List.of()).fingerprint());
  }

  @Test
  void aChangeWithTheSameSizeAndMtimeIsCaughtByTheInode() throws IOException {
    Fingerprinter.Result base = fp(Map.of());
    Path a = context.resolve("src/a.txt");
    FileTime mtime = Files.getLastModifiedTime(a);
    // an atomic replace (editors, build tools): same size, same mtime, new inode
    Path temp = context.resolve("src/a.tmp");
    Files.writeString(temp, "Z");
    Files.setLastModifiedTime(temp, mtime);
    Files.move(temp, a, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(fp(base.files()).fingerprint()).isNotEqualTo(base.fingerprint());
  }

  @Test
  void racyEntriesAreRehashedEvenWhenTheStatMatches() throws IOException {
    Files.writeString(context.resolve("src/a.txt"), "fresh"); // mtime: now
    Fingerprinter.Result first = fp(Map.of());
    assertThat(first.files().get("src/a.txt").racy()).isTrue();
    assertThat(first.files().get("src/b.txt").racy()).isFalse();
    assertThat(fp(first.files()).rehashed()).isEqualTo(1);
    assertThat(FileState.racy(5_000_000_000L, 5_050_000_000L)).isTrue();
    assertThat(FileState.racy(5_000_000_001L, 5_200_000_000L)).isFalse();
    assertThat(FileState.racy(5_000_000_000L, 6_500_000_000L)).isTrue(); // whole seconds: 2 s
  }

  @Test
  void dockerfileOutsideTheContextOrIgnoredStillCounts() throws IOException {
    Path outside = Files.createTempFile("Dockerfile", "");
    Files.writeString(outside, "FROM scratch\n");
    BuildSpec external = spec.toBuilder().dockerfile(outside).build();
    String before = Fingerprinter.fingerprint(external, Map.of(), List.of()).fingerprint();
    Files.writeString(outside, "FROM scratch\nENV X=1\n");
    assertThat(Fingerprinter.fingerprint(external, Map.of(), List.of()).fingerprint())
        .isNotEqualTo(before);

    write(".dockerignore", "Dockerfile\n");
    String ignored = fp(Map.of()).fingerprint();
    write("Dockerfile", "FROM scratch\nENV Y=1\n");
    assertThat(fp(Map.of()).fingerprint()).isNotEqualTo(ignored);
  }

  @Test
  void missingDockerfileAndContextNameThePath() {
    BuildSpec noDockerfile =
        spec.toBuilder().dockerfile(context.resolve("nope/Dockerfile")).build();
    assertThatThrownBy(() -> Fingerprinter.fingerprint(noDockerfile, Map.of(), List.of()))
        .isInstanceOf(InvalidBuildSpecException.class)
        .hasMessage(
            "Dockerfile not found: "
                + context.resolve("nope/Dockerfile")
                + " (set <dockerfile> or put a Dockerfile in the context directory)");
    BuildSpec noContext = BuildSpec.builder("greeter", context.resolve("gone")).build();
    assertThatThrownBy(() -> Fingerprinter.fingerprint(noContext, Map.of(), List.of()))
        .hasMessage(
            "context directory not found: "
                + context.resolve("gone")
                + " (set <contextDirectory>)");
  }

  @Test
  void symlinksCountByTarget() throws IOException {
    Files.createSymbolicLink(context.resolve("link"), Path.of("src/a.txt"));
    Fingerprinter.Result r = fp(Map.of());
    assertThat(r.files().get("link").sha256()).isEqualTo("link:src/a.txt");
  }

  @Test
  void theStatListingVouchesForAnUnchangedContextOnly() throws IOException {
    List<Path> excluded = List.of(context.resolve("target/cached-image"));
    Fingerprinter.Result first = fp(Map.of());
    assertThat(first.stats()).isNotNull();
    // Its parts give the fingerprint back, and a rescan of the same context lists the same bytes.
    assertThat(Fingerprinter.combine(spec, first.dockerfileDigest(), first.filesDigest(), Map.of()))
        .isEqualTo(first.fingerprint());
    assertThat(ContextScan.of(spec, excluded).stats()).isEqualTo(first.stats());
    // The previous entry-list digest is reused only when every entry is a previous one.
    Fingerprinter.Result reused =
        Fingerprinter.fingerprint(spec, first.files(), "not recomputed", excluded);
    assertThat(reused.filesDigest()).isEqualTo("not recomputed");

    Files.writeString(context.resolve("src/a.txt"), "A");
    Files.setLastModifiedTime(context.resolve("src/a.txt"), FileTime.from(OLD.plusSeconds(5)));
    assertThat(ContextScan.of(spec, excluded).stats()).isNotEqualTo(first.stats());
    Fingerprinter.Result changed =
        Fingerprinter.fingerprint(spec, first.files(), first.filesDigest(), excluded);
    assertThat(changed.filesDigest()).isNotEqualTo(first.filesDigest());
    assertThat(changed.fingerprint()).isNotEqualTo(first.fingerprint());
    // a mode change alone changes the listing too
    Files.writeString(context.resolve("src/a.txt"), "a");
    Files.setLastModifiedTime(context.resolve("src/a.txt"), FileTime.from(OLD));
    Files.setLastModifiedTime(context.resolve("src"), FileTime.from(OLD));
    Files.setPosixFilePermissions(
        context.resolve("src/b.txt"), PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(ContextScan.of(spec, excluded).stats()).isNotEqualTo(first.stats());
  }

  @Test
  void aFileHashedRightAfterItChangedLeavesNoListingToTrust() throws IOException {
    Files.writeString(context.resolve("src/a.txt"), "just now");
    Fingerprinter.Result result = fp(Map.of());
    assertThat(result.files().get("src/a.txt").racy()).isTrue();
    assertThat(result.stats()).isNull();
  }

  @Test
  void theScanFinishesWhileTheCommonPoolIsBlocked() throws Exception {
    for (int d = 0; d < 6; d++) {
      write("deep/d" + d + "/f.txt", "x");
    }
    age();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    int workers = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism();
    for (int i = 0; i < workers; i++) {
      java.util.concurrent.ForkJoinPool.commonPool()
          .execute(
              () -> {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
    }
    try {
      Fingerprinter.Result result =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(20), () -> fp(Map.of()));
      assertThat(result.files()).containsKeys("deep/d0/f.txt", "deep/d5/f.txt");
    } finally {
      release.countDown();
    }
  }
}
