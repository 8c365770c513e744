package io.github.cachedimage.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.record.BuildRecord.CacheSummary;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.ReuseSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildRecordTest {
  @TempDir Path dir;

  static BuildRecord sample(Path context, String fingerprint) {
    BuildSpec spec =
        BuildSpec.builder("localhost:5000/team/greeter", context)
            .buildArg("JAR", "target/greeter.jar")
            .label("a", "b")
            .secret(SecretSpec.parse("id=npmrc,src=/x"))
            .cacheFrom(CacheSpec.parseImport("type=registry,ref=localhost:5000/greeter:cache"))
            .cacheTo(CacheSpec.parseExport("type=local,\"dest=/tmp/a,b\",mode=max"))
            .platform("linux/amd64")
            .pull(true)
            .reuse(new ReuseSpec("ghcr.io/acme/greeter", "always", true))
            .build();
    return new BuildRecord(
        spec.image(),
        spec,
        fingerprint,
        "sha256:" + "1".repeat(64),
        "sha256:" + "2".repeat(64),
        List.of("localhost:5000/team/greeter:fp-" + fingerprint.substring(0, 12)),
        "localhost:5000/team/greeter:fp-" + fingerprint.substring(0, 12),
        Instant.parse("2026-11-28T07:25:24.623577590Z"),
        2100,
        new CacheSummary(8, 7, List.of("type=registry,ref=localhost:5000/greeter:cache")),
        Map.of(
            "src/a.txt",
                new FileState(
                    10, 1_795_850_647_795_930_420L, 0644, "(dev=fe00,ino=1)", "ab", false),
            "src", new FileState(0, 0, 0755, null, "dir", false),
            "racy.txt", new FileState(1, 2, 0600, null, "cd", true)),
        Map.of(),
        BuildRecord.FORMAT_VERSION);
  }

  @Test
  void writeThenReadRoundTripsEveryField() throws Exception {
    BuildRecord record = sample(dir.resolve("ctx"), "f".repeat(64));
    new RecordStore(dir, record.image()).write(record, null);
    Path file = new RecordStore(dir, record.image()).recordFile();
    assertThat(file).isEqualTo(dir.resolve("localhost_5000_team_greeter.json"));
    assertThat(Files.readString(file))
        .contains("\"contextDirectory\" : \"" + dir.resolve("ctx") + "\"");
    assertThat(new RecordStore(dir, record.image()).record()).contains(record);
  }

  @Test
  void aRecordOfAnotherFormatReadsAsNone() throws Exception {
    BuildRecord record = sample(dir.resolve("ctx"), "f".repeat(64));
    new RecordStore(dir, record.image()).write(record, null);
    Path file = new RecordStore(dir, record.image()).recordFile();
    // format 1: fingerprint v1, which no current fingerprint can equal
    Files.writeString(
        file,
        Files.readString(file)
            .replace("\"formatVersion\" : " + BuildRecord.FORMAT_VERSION, "\"formatVersion\" : 1"));
    assertThat(Files.readString(file)).contains("\"formatVersion\" : 1");
    assertThat(new RecordStore(dir, record.image()).record()).isEmpty();
  }

  @Test
  void dataBindingReadsWhatTheStreamingWriterWrites() throws Exception {
    BuildRecord record = sample(dir.resolve("ctx"), "e".repeat(64));
    new RecordStore(dir, record.image()).write(record, null);
    Path file = new RecordStore(dir, record.image()).recordFile();
    assertThat(DataBinding.JSON.readValue(file.toFile(), BuildRecord.class)).isEqualTo(record);
    assertThat(DataBinding.JSON.readTree(DataBinding.JSON.writeValueAsBytes(record)))
        .isEqualTo(DataBinding.JSON.readTree(file.toFile()));
  }

  @Test
  void writesAtomicallyLeavingNoTemporaryFiles() throws Exception {
    BuildRecord first = sample(dir.resolve("ctx"), "a".repeat(64));
    new RecordStore(dir, first.image()).write(first, null);
    BuildRecord second = sample(dir.resolve("ctx"), "b".repeat(64));
    new RecordStore(dir, second.image()).write(second, null);
    assertThat(new RecordStore(dir, second.image()).record()).contains(second);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly("localhost_5000_team_greeter.json");
    }
  }

  @Test
  void missingCorruptOrForeignRecordsReadAsNone() throws Exception {
    assertThat(new RecordStore(dir, "greeter").record()).isEmpty();
    Files.writeString(new RecordStore(dir, "greeter").recordFile(), "{ not json");
    assertThat(new RecordStore(dir, "greeter").record()).isEmpty();
    BuildRecord foreign = sample(dir.resolve("ctx"), "a".repeat(64));
    new RecordStore(dir, foreign.image()).write(foreign, null);
    Files.move(
        new RecordStore(dir, "localhost:5000/team/greeter").recordFile(),
        new RecordStore(dir, "greeter").recordFile(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(new RecordStore(dir, "greeter").record()).isEmpty();
  }
}
