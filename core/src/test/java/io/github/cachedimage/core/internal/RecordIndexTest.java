package io.github.cachedimage.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.BuildRecord;
import io.github.cachedimage.core.BuildRecord.FileState;
import io.github.cachedimage.core.BuildSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordIndexTest {
  @TempDir Path context;
  Path records;
  BuildSpec spec;
  Fingerprinter.Result fp;

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
    Files.createDirectories(context.resolve("src"));
    Files.writeString(context.resolve("src/a b.txt"), "a");
    for (String p : List.of("Dockerfile", "src/a b.txt", "src")) {
      Files.setLastModifiedTime(context.resolve(p), FileTime.from(Instant.now().minusSeconds(60)));
    }
    records = context.resolve(BuildRecord.RECORD_DIRECTORY);
    Files.createDirectories(records);
    Files.setLastModifiedTime(
        context.resolve("target"), FileTime.from(Instant.now().minusSeconds(60)));
    spec = BuildSpec.builder("team/greeter", context).build();
    fp = Fingerprinter.fingerprint(spec, Map.of(), List.of(records));
  }

  BuildRecord record(Map<String, FileState> files) {
    return new BuildRecord(
        "team/greeter",
        spec,
        fp.fingerprint(),
        "sha256:" + "c".repeat(64),
        null,
        List.of("team/greeter:fp-x", "team/greeter:latest"),
        "team/greeter:fp-x",
        Instant.parse("2026-11-28T10:00:00Z"),
        1200,
        new BuildRecord.CacheSummary(2, 1, List.of()),
        files,
        BuildRecord.FORMAT_VERSION);
  }

  @Test
  void roundTripsWhatTheCheckNeeds() throws IOException {
    BuildRecord record = record(fp.files());
    record.write(records);
    RecordIndex.write(records, record, fp);
    assertThat(RecordIndex.file(records, "team/greeter").getFileName().toString())
        .isEqualTo("team_greeter.index");

    RecordIndex index = RecordIndex.read(records, "team/greeter").orElseThrow();
    assertThat(index.fingerprint()).isEqualTo(record.fingerprint());
    assertThat(index.imageId()).isEqualTo(record.imageId());
    assertThat(index.contentTag()).isEqualTo("team/greeter:fp-x");
    assertThat(index.dockerfileDigest()).isEqualTo(fp.dockerfileDigest());
    assertThat(index.filesDigest()).isEqualTo(fp.filesDigest());
    assertThat(index.files()).isEqualTo(record.files());
    assertThat(index.statsMatch(Fingerprinter.scan(spec, List.of(records)).stats())).isTrue();
    // another image's name never reads this one
    assertThat(RecordIndex.read(records, "team_greeter")).isEmpty();
  }

  @Test
  void carriesTheSpecTextWhateverItHolds() throws IOException {
    spec = spec.toBuilder().buildArg("NOTE", "tab\there\nand a line\n").label("é", "ü").build();
    fp = Fingerprinter.fingerprint(spec, Map.of(), List.of(records));
    BuildRecord record = record(fp.files());
    record.write(records);
    RecordIndex.write(records, record, fp);

    RecordIndex index = RecordIndex.read(records, "team/greeter").orElseThrow();
    assertThat(index.specText())
        .isEqualTo(Fingerprinter.specText(spec))
        .contains("build-arg NOTE=tab\there\nand a line\n");
    assertThat(index.imageId()).isEqualTo(record.imageId()); // the lines after it still read
    assertThat(index.files()).isEqualTo(record.files());
    BuildSpec other = spec.toBuilder().buildArg("NOTE", "tab\there\nand a line").build();
    assertThat(index.specText()).isNotEqualTo(Fingerprinter.specText(other));
  }

  @Test
  void writesNoIndexFromPartsThatDidNotMakeTheRecordsFingerprint() throws IOException {
    BuildRecord record = record(fp.files());
    record.write(records);
    RecordIndex.write(records, record, fp);
    BuildSpec withArg = spec.toBuilder().buildArg("X", "1").build();
    Fingerprinter.Result other = Fingerprinter.fingerprint(withArg, Map.of(), List.of(records));
    RecordIndex.write(records, record, other);
    assertThat(RecordIndex.file(records, "team/greeter")).doesNotExist();
  }

  @Test
  void belongsToOneRecordFileOnly() throws IOException {
    BuildRecord record = record(fp.files());
    record.write(records);
    RecordIndex.write(records, record, fp);
    record.write(records); // same content, new file
    assertThat(RecordIndex.read(records, "team/greeter")).isEmpty();
  }

  @Test
  void vouchesForNoListingWhenTheRecordHasOtherEntries() throws IOException {
    Map<String, FileState> fewer = Map.of("Dockerfile", fp.files().get("Dockerfile"));
    BuildRecord record = record(fewer);
    record.write(records);
    RecordIndex.write(records, record, fp);
    RecordIndex index = RecordIndex.read(records, "team/greeter").orElseThrow();
    assertThat(index.statsMatch(fp.stats())).isFalse();
    assertThat(index.files()).isEqualTo(fewer);
  }

  @Test
  void writesNoIndexForNamesItCannotCarry() throws IOException {
    BuildRecord record = record(fp.files());
    record.write(records);
    RecordIndex.write(records, record, fp);
    Map<String, FileState> odd = new java.util.HashMap<>(fp.files());
    odd.put("line\nbreak.txt", fp.files().get("Dockerfile"));
    BuildRecord oddRecord = record(odd);
    oddRecord.write(records);
    RecordIndex.write(records, oddRecord, fp);
    assertThat(RecordIndex.file(records, "team/greeter")).doesNotExist();
  }
}
