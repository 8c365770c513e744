package io.github.cachedimage.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.fingerprint.ContextScan;
import io.github.cachedimage.core.fingerprint.FileState;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.spec.BuildSpec;
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
    records = context.resolve(RecordStore.DEFAULT_DIRECTORY);
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
        Map.of(),
        BuildRecord.FORMAT_VERSION);
  }

  @Test
  void roundTripsWhatTheCheckNeeds() throws IOException {
    BuildRecord record = record(fp.files());
    new RecordStore(records, record.image()).write(record, fp);
    assertThat(new RecordStore(records, "team/greeter").indexFile().getFileName().toString())
        .isEqualTo("team_greeter.index");

    RecordIndex index = new RecordStore(records, "team/greeter").index().orElseThrow();
    assertThat(index.fingerprint()).isEqualTo(record.fingerprint());
    assertThat(index.imageId()).isEqualTo(record.imageId());
    assertThat(index.contentTag()).isEqualTo("team/greeter:fp-x");
    assertThat(index.filesDigest()).isEqualTo(fp.filesDigest());
    assertThat(index.files()).contains(record.files());
    assertThat(index.statsMatch(ContextScan.of(spec, List.of(records)).stats())).isTrue();
    // another image's name never reads this one
    assertThat(new RecordStore(records, "team_greeter").index()).isEmpty();
  }

  @Test
  void carriesTheSpecTextWhateverItHolds() throws IOException {
    spec = spec.toBuilder().buildArg("NOTE", "tab\there\nand a line\n").label("é", "ü").build();
    fp = Fingerprinter.fingerprint(spec, Map.of(), List.of(records));
    BuildRecord record = record(fp.files());
    new RecordStore(records, record.image()).write(record, fp);

    RecordIndex index = new RecordStore(records, "team/greeter").index().orElseThrow();
    assertThat(index.specText())
        .isEqualTo(Fingerprinter.specText(spec))
        .contains("build-arg NOTE=tab\there\nand a line\n");
    assertThat(index.imageId()).isEqualTo(record.imageId()); // the lines after it still read
    assertThat(index.files()).contains(record.files());
    BuildSpec other = spec.toBuilder().buildArg("NOTE", "tab\there\nand a line").build();
    assertThat(index.specText()).isNotEqualTo(Fingerprinter.specText(other));
  }

  @Test
  void writesNoIndexFromPartsThatDidNotMakeTheRecordsFingerprint() throws IOException {
    BuildRecord record = record(fp.files());
    new RecordStore(records, record.image()).write(record, fp);
    BuildSpec withArg = spec.toBuilder().buildArg("X", "1").build();
    Fingerprinter.Result other = Fingerprinter.fingerprint(withArg, Map.of(), List.of(records));
    new RecordStore(records, record.image()).writeIndex(record, other);
    assertThat(new RecordStore(records, "team/greeter").indexFile()).doesNotExist();
  }

  @Test
  void belongsToOneRecordFileOnly() throws IOException {
    BuildRecord record = record(fp.files());
    new RecordStore(records, record.image()).write(record, fp);
    new RecordStore(records, record.image()).write(record, null); // same content, new file
    assertThat(new RecordStore(records, "team/greeter").index()).isEmpty();
  }

  @Test
  void vouchesForNoListingWhenTheRecordHasOtherEntries() throws IOException {
    Map<String, FileState> fewer = Map.of("Dockerfile", fp.files().get("Dockerfile"));
    BuildRecord record = record(fewer);
    new RecordStore(records, record.image()).write(record, fp);
    RecordIndex index = new RecordStore(records, "team/greeter").index().orElseThrow();
    assertThat(index.statsMatch(fp.stats())).isFalse();
    assertThat(index.files()).contains(fewer);
  }

  @Test
  void writesNoIndexForNamesItCannotCarry() throws IOException {
    BuildRecord record = record(fp.files());
    new RecordStore(records, record.image()).write(record, fp);
    Map<String, FileState> odd = new java.util.HashMap<>(fp.files());
    odd.put("line\nbreak.txt", fp.files().get("Dockerfile"));
    BuildRecord oddRecord = record(odd);
    new RecordStore(records, oddRecord.image()).write(oddRecord, null);
    new RecordStore(records, oddRecord.image()).writeIndex(oddRecord, fp);
    assertThat(new RecordStore(records, "team/greeter").indexFile()).doesNotExist();
  }
}
