package io.github.cachedimage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.BuildxUnsupportedException;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.engine.EngineInfo;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision and the build flow against a scripted buildx and engine; no daemon. */
class CachedImagesTest {
  @TempDir Path context;
  @TempDir Path cacheRoot;
  Path records;
  BuildSpec spec;
  final List<String> logged = new CopyOnWriteArrayList<>();
  final FakeEngine engine = new FakeEngine();
  final FakeBuildx buildx = new FakeBuildx();
  CachedImages images;

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
    Files.writeString(context.resolve("a.txt"), "a");
    for (Path p : List.of(context.resolve("Dockerfile"), context.resolve("a.txt"))) {
      Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
    }
    records = context.resolve(RecordStore.DEFAULT_DIRECTORY);
    spec =
        BuildSpec.builder("greeter", context)
            .cacheFrom(CacheSpec.parseImport("type=local,src=/c"))
            .cacheTo(CacheSpec.parseExport("type=local,dest=/c2,mode=max"))
            .build();
    images = new CachedImages(log(), engine, buildx, cacheRoot);
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

      public void progress(String line) {
        logged.add("PROGRESS " + line);
      }
    };
  }

  @Test
  void buildsOnceThenIsUpToDateWithoutRunningBuildx() {
    EnsureResult first = images.ensure(spec, records);
    assertThat(first.built()).isTrue();
    assertThat(first.before().status()).isEqualTo(Freshness.Status.NO_RECORD);
    BuildRecord record = first.record();
    assertThat(record.imageId()).isEqualTo("sha256:" + "a".repeat(64));
    assertThat(record.contentTag())
        .isEqualTo("greeter:fp-" + record.fingerprint().substring(0, 12));
    assertThat(record.tags()).containsExactly(record.contentTag(), "greeter:latest");
    assertThat(record.cacheSummary())
        .isEqualTo(new BuildRecord.CacheSummary(2, 1, List.of("type=local,src=/c")));
    assertThat(new RecordStore(records, "greeter").record()).contains(record);
    assertThat(buildx.builds).hasSize(1);
    // exports are warnings by default
    assertThat(buildx.builds.get(0).cacheTo())
        .containsExactly(CacheSpec.parseExport("type=local,dest=/c2,mode=max,ignore-error=true"));
    assertThat(logged).contains("PROGRESS #5 [2/2] COPY a.txt /");
    assertThat(logged)
        .anyMatch(
            l ->
                l.matches(
                    "INFO greeter: built sha256:a{12} in \\d+\\.\\d s \\(no record\\), 1/2 steps cached \\(from type=local,src=/c\\)"));

    logged.clear();
    EnsureResult second = images.ensure(spec, records);
    assertThat(second.built()).isFalse();
    assertThat(buildx.builds).hasSize(1);
    assertThat(buildx.infoCalls).isEqualTo(1);
    assertThat(second.record()).isEqualTo(record);
    assertThat(logged)
        .singleElement()
        .asString()
        .matches("INFO greeter: up to date \\(sha256:a{12}, inputs unchanged\\) in \\d+ ms");
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);
  }

  @Test
  void theBuilderIsAskedAlongsideTheScanOnlyWhenNoRecordMakesABuildCertain() throws IOException {
    images.ensure(spec, records);
    assertThat(buildx.infoThreads).containsExactly("cached-image-builder-probe");
    images.ensure(spec, records); // up to date: not asked at all
    Files.writeString(context.resolve("a.txt"), "changed");
    images.ensure(spec, records); // a record: asked when the check has found the change
    assertThat(buildx.infoThreads)
        .containsExactly("cached-image-builder-probe", Thread.currentThread().getName());
  }

  @Test
  void aBuilderProbeFailureIsTheBuildsError() {
    Buildx broken =
        new FakeBuildx() {
          @Override
          public Info info(String builder) {
            throw new BuildxUnsupportedException("buildx is gone");
          }
        };
    assertThatThrownBy(() -> new CachedImages(log(), engine, broken).ensure(spec, records))
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessage("buildx is gone");
    assertThat(new RecordStore(records, "greeter").recordFile()).doesNotExist();
  }

  @Test
  void rebuildsWhenTheImageIsGoneOrAnInputChanged() throws IOException {
    images.ensure(spec, records);
    engine.images.clear();
    Freshness gone = images.check(spec, records);
    assertThat(gone.status()).isEqualTo(Freshness.Status.IMAGE_GONE);
    assertThat(gone.describe()).isEqualTo("image sha256:aaaaaaaaaaaa is gone from the engine");
    images.ensure(spec, records);
    assertThat(buildx.builds).hasSize(2);

    Files.writeString(context.resolve("a.txt"), "changed");
    Freshness changed = images.check(spec, records);
    assertThat(changed.status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    assertThat(changed.describe()).isEqualTo("inputs changed: a.txt");
    logged.clear();
    images.ensure(spec, records);
    assertThat(logged).contains("INFO greeter: building (inputs changed: a.txt)");
  }

  @Test
  void theNoOpPathAsksTheEngineOnceAndReadsNoJsonForPluginAndExtension() throws IOException {
    EnsureResult built = images.ensure(spec, records);
    // The record file stays (same size, mtime and inode, so its index still belongs to it) but
    // can no longer be parsed: any read of it would make the verdict "no usable record".
    Path json = new RecordStore(records, "greeter").recordFile();
    FileTime mtime = Files.getLastModifiedTime(json);
    byte[] garbled = new byte[(int) Files.size(json)];
    java.util.Arrays.fill(garbled, (byte) 'x');
    Files.write(json, garbled);
    Files.setLastModifiedTime(json, mtime);
    assertThat(new RecordStore(records, "greeter").read().problem()).startsWith(json.toString());
    // Any read at all shows in the access time (relatime updates an atime older than the mtime):
    // proven here once, then the no-op paths must leave it alone.
    FileTime past = FileTime.from(Instant.now().minusSeconds(3600 * 48));
    Files.setAttribute(json, "lastAccessTime", past);
    Files.readAllBytes(json);
    assumeTrue(
        !Files.getAttribute(json, "lastAccessTime").equals(past),
        "this file system does not record reads in the access time");
    Files.setAttribute(json, "lastAccessTime", past);

    engine.asked.clear();
    EnsureResult plugin = images.ensure(spec, records);
    assertThat(plugin.built()).isFalse();
    assertThat(plugin.contentTagVerified()).isTrue();
    assertThat(engine.asked).containsExactly(built.contentTag());

    engine.asked.clear();
    EnsureResult extension =
        images.ensureRecorded(
            "greeter",
            records,
            read -> {
              throw new AssertionError("the fallback spec was asked for: " + read);
            });
    assertThat(extension.built()).isFalse();
    assertThat(extension.contentTagVerified()).isTrue();
    assertThat(extension.imageId()).isEqualTo(built.imageId());
    assertThat(extension.contentTag()).isEqualTo(built.contentTag());
    assertThat(engine.asked).containsExactly(built.contentTag());
    assertThat(buildx.builds).hasSize(1);
    assertThat(Files.getAttribute(json, "lastAccessTime"))
        .as("the record was read")
        .isEqualTo(past);
  }

  @Test
  void aChangedBaseImageRebuildsAndSaysWhich() throws IOException {
    String one = "sha256:" + "1".repeat(64);
    String two = "sha256:" + "2".repeat(64);
    Files.writeString(
        context.resolve("Dockerfile"), "ARG TAG=1\nFROM team/base:$TAG\nCOPY a.txt /\n");
    Files.setLastModifiedTime(
        context.resolve("Dockerfile"), FileTime.from(Instant.now().minusSeconds(60)));
    engine.images.put("team/base:1", one);
    EnsureResult built = images.ensure(spec, records);
    assertThat(built.record().baseImages()).containsExactly(Map.entry("team/base:1", one));

    engine.asked.clear();
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);
    assertThat(engine.asked).containsExactly(built.contentTag(), "team/base:1");

    engine.images.put("team/base:1", two); // rebuilt or pulled by someone
    Freshness changed = images.check(spec, records);
    assertThat(changed.status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    assertThat(changed.describe())
        .isEqualTo("base image team/base:1 changed: sha256:111111111111 -> sha256:222222222222");
    // the record says the same when there is no index to answer
    Files.delete(new RecordStore(records, "greeter").indexFile());
    assertThat(images.check(spec, records).describe()).isEqualTo(changed.describe());

    EnsureResult rebuilt = images.ensure(spec, records);
    assertThat(rebuilt.built()).isTrue();
    assertThat(rebuilt.contentTag()).isNotEqualTo(built.contentTag());
    assertThat(rebuilt.record().baseImages()).containsExactly(Map.entry("team/base:1", two));
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);

    engine.images.remove("team/base:1");
    assertThat(images.check(spec, records).describe())
        .isEqualTo("base image team/base:1 changed: sha256:222222222222 -> (none)");
  }

  @Test
  void theExtensionRebuildsAStaleBaseBeforeTheImageBuiltOnIt() throws IOException {
    buildx.idsFromTags = true;
    Path baseDir = Files.createDirectories(context.resolve("base"));
    Path appDir = Files.createDirectories(context.resolve("app"));
    Files.writeString(baseDir.resolve("Dockerfile"), "FROM scratch\nCOPY b.txt /\n");
    Files.writeString(baseDir.resolve("b.txt"), "b1");
    Files.writeString(appDir.resolve("Dockerfile"), "FROM team/base-img\nCOPY a.txt /\n");
    Files.writeString(appDir.resolve("a.txt"), "a");
    BuildSpec baseSpec = BuildSpec.builder("team/base-img", baseDir).build();
    BuildSpec appSpec = BuildSpec.builder("team/app", appDir).build();
    EnsureResult base = images.ensure(baseSpec, records); // the plugin's run, base first
    images.ensure(appSpec, records);

    Files.writeString(baseDir.resolve("b.txt"), "b2"); // and then the plugin does not run
    int before = buildx.builds.size();
    logged.clear();
    EnsureResult app =
        images.ensureRecorded(
            "team/app",
            records,
            read -> {
              throw new AssertionError("no fallback: " + read);
            });
    assertThat(app.built()).isTrue();
    assertThat(buildx.builds.subList(before, buildx.builds.size()))
        .extracting(b -> b.spec().image())
        .containsExactly("team/base-img", "team/app");
    assertThat(logged)
        .anyMatch(
            l ->
                l.startsWith(
                    "INFO team/app: building (base image team/base-img changed: "
                        + base.imageId().substring(0, 19)
                        + " -> "));

    int after = buildx.builds.size();
    assertThat(images.ensureRecorded("team/app", records, read -> spec).built()).isFalse();
    assertThat(buildx.builds).hasSize(after);
  }

  @Test
  void aBuilderThatCannotSeeTheEngineFailsEarlyOnABaseBuiltHere() throws IOException {
    Path baseDir = Files.createDirectories(context.resolve("base"));
    Path appDir = Files.createDirectories(context.resolve("app"));
    Files.writeString(baseDir.resolve("Dockerfile"), "FROM scratch\n");
    Files.writeString(appDir.resolve("Dockerfile"), "FROM team/base-img\n");
    images.ensure(BuildSpec.builder("team/base-img", baseDir).build(), records);
    buildx.info = new Buildx.Info("0.29.1", "ci", "docker-container", false);
    int before = buildx.builds.size();
    assertThatThrownBy(() -> images.ensure(BuildSpec.builder("team/app", appDir).build(), records))
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessageStartingWith(
            "team/app: its Dockerfile builds on team/base-img, which exists only in the Docker"
                + " engine (cached-image built it and loaded it there), but buildx builder 'ci'"
                + " uses the docker-container driver, which cannot see the engine's images. Fix:");
    assertThat(buildx.builds).hasSize(before);
    // an image from elsewhere is the builder's to pull
    Files.writeString(appDir.resolve("Dockerfile"), "FROM busybox\n");
    engine.images.put("busybox", "sha256:" + "b".repeat(64));
    images.ensure(BuildSpec.builder("team/app", appDir).build(), records);
    assertThat(buildx.builds).hasSize(before + 1);
  }

  @Test
  void recordedImagesBuiltOnEachOtherInACycleAreAnError() throws IOException {
    Path baseDir = Files.createDirectories(context.resolve("base"));
    Path appDir = Files.createDirectories(context.resolve("app"));
    Files.writeString(baseDir.resolve("Dockerfile"), "FROM team/app\n");
    Files.writeString(appDir.resolve("Dockerfile"), "FROM team/base-img:latest\n");
    images.ensure(BuildSpec.builder("team/base-img", baseDir).build(), records);
    images.ensure(BuildSpec.builder("team/app", appDir).build(), records);
    assertThatThrownBy(() -> images.ensureRecorded("team/app", records, read -> spec))
        .isInstanceOf(CachedImageException.class)
        .hasMessage(
            "the recorded images build on each other in a cycle: team/app -> team/base-img ->"
                + " team/app; fix the FROM lines of their Dockerfiles");
  }

  @Test
  void theExtensionBuildsTheRecordedSpecAndFallsBackOnlyWithoutOne() throws IOException {
    images.ensure(spec, records);
    Files.writeString(context.resolve("a.txt"), "changed");
    // the recorded spec (with its cache flags) is what gets rebuilt, not the fallback
    images.ensureRecorded(
        "greeter",
        records,
        read -> {
          throw new AssertionError("the fallback spec was asked for: " + read);
        });
    assertThat(buildx.builds).hasSize(2);
    assertThat(buildx.builds.get(1).cacheFrom().get(0).toBuildxArgument())
        .isEqualTo("type=local,src=/c");

    Files.delete(new RecordStore(records, "greeter").indexFile());
    Files.writeString(new RecordStore(records, "greeter").recordFile(), "{ not json");
    List<String> reasons = new CopyOnWriteArrayList<>();
    EnsureResult rebuilt =
        images.ensureRecorded(
            "greeter",
            records,
            read -> {
              reasons.add(read.problem());
              return spec;
            });
    assertThat(reasons).hasSize(1);
    assertThat(reasons.get(0)).startsWith(new RecordStore(records, "greeter").recordFile() + ": ");
    assertThat(rebuilt.before().describe()).startsWith("no usable record (");
    assertThat(buildx.builds).hasSize(3);
  }

  @Test
  void theEngineIsAskedForTheContentTagFirstAndForTheRecordedIdWhenTheTagMoved()
      throws IOException {
    EnsureResult built = images.ensure(spec, records);
    String id = built.imageId();
    String tag = built.contentTag();
    engine.asked.clear();
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);
    assertThat(engine.asked).containsExactly(tag); // one question

    engine.images.put(tag, "sha256:" + "b".repeat(64)); // someone moved the tag
    engine.asked.clear();
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);
    assertThat(engine.asked).containsExactly(tag, id);

    // the engine refuses the first question: the second one answers
    engine.refused.add(tag);
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);
    engine.refused.clear();

    engine.images.remove(id);
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.IMAGE_GONE);
    engine.images.remove(tag);
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.IMAGE_GONE);
  }

  @Test
  void aNoOpIsAnsweredFromTheIndexAndTheRecordIsReadOnlyWhenAskedFor() throws IOException {
    BuildRecord built = images.ensure(spec, records).record();
    Path index = new RecordStore(records, "greeter").indexFile();
    assertThat(index).isRegularFile();
    assertThat(new RecordStore(records, "greeter").index().orElseThrow().fingerprint())
        .isEqualTo(built.fingerprint());

    EnsureResult fresh = images.ensure(spec, records);
    assertThat(fresh.built()).isFalse();
    assertThat(fresh.imageId()).isEqualTo(built.imageId());
    assertThat(fresh.contentTag()).isEqualTo(built.contentTag());
    assertThat(fresh.record()).isEqualTo(built);

    // The record replaced behind the verdict's back: record() refuses to hand out another one.
    EnsureResult another = images.ensure(spec, records);
    BuildRecord other =
        new BuildRecord(
            built.image(),
            built.spec(),
            "f".repeat(64),
            "sha256:" + "b".repeat(64),
            built.digest(),
            built.tags(),
            built.contentTag(),
            built.builtAt(),
            built.buildMillis(),
            built.cacheSummary(),
            built.files(),
            built.baseImages(),
            built.formatVersion());
    new RecordStore(records, other.image()).write(other, null);
    assertThatThrownBy(another::record)
        .isInstanceOf(CachedImageException.class)
        .hasMessageContaining("changed or went away since the up-to-date check");
  }

  @Test
  void anIndexThatDoesNotBelongToTheRecordIsIgnored() throws IOException {
    BuildRecord first = images.ensure(spec, records).record();
    byte[] firstIndex = Files.readAllBytes(new RecordStore(records, "greeter").indexFile());
    Files.writeString(context.resolve("a.txt"), "changed");
    BuildRecord second = images.ensure(spec, records).record();
    assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
    // An old index next to the new record (say, restored from a CI cache): it names another
    // record file, so the check reads the record and is not misled into the first image.
    Files.write(new RecordStore(records, "greeter").indexFile(), firstIndex);
    assertThat(new RecordStore(records, "greeter").index()).isEmpty();
    Files.writeString(context.resolve("a.txt"), "a");
    Freshness check = images.check(spec, records);
    assertThat(check.status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    assertThat(check.changedPaths()).containsExactly("a.txt");
    // A garbled index is as good as none, too.
    Files.writeString(
        new RecordStore(records, "greeter").indexFile(), "cached-image index 1\nimage\tgre");
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    images.ensure(spec, records);
    assertThat(buildx.builds).hasSize(3);
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);
  }

  @Test
  void anIndexWithBadEntriesOnlyCostsTheShortcut() throws IOException {
    images.ensure(spec, records);
    Path index = new RecordStore(records, "greeter").indexFile();
    byte[] bytes = Files.readAllBytes(index);
    // corrupt the first entry's size, after the head and the listing
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    int entries = text.lastIndexOf("entries\t"); // the listing before it is binary
    int sizeAt = text.indexOf('\t', text.indexOf('\n', entries) + 1) + 1;
    bytes[sizeAt] = 'x';
    Files.write(index, bytes);
    assertThat(new RecordStore(records, "greeter").index()).isPresent(); // the head is fine
    Files.writeString(context.resolve("a.txt"), "changed"); // so the entries are needed
    Freshness changed = images.check(spec, records);
    assertThat(changed.status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    assertThat(changed.changedPaths()).containsExactly("a.txt");
  }

  @Test
  void aChangeIsFoundWhenTheStatListingDiffersAndNamedFromTheRecord() throws IOException {
    images.ensure(spec, records);
    Files.writeString(context.resolve("b.txt"), "new file");
    Freshness added = images.check(spec, records);
    assertThat(added.status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    assertThat(added.changedPaths()).containsExactly("b.txt");
    Files.delete(context.resolve("b.txt"));
    assertThat(images.check(spec, records).status()).isEqualTo(Freshness.Status.FRESH);
    // not in the stat listing, but in the fingerprint: a build arg
    Files.writeString(context.resolve("other.Dockerfile"), "FROM scratch\n");
    Files.setLastModifiedTime(
        context.resolve("other.Dockerfile"), FileTime.from(Instant.now().minusSeconds(60)));
    images.ensure(spec, records);
    // the same files, another of them the Dockerfile
    BuildSpec otherDockerfile =
        spec.toBuilder().dockerfile(context.resolve("other.Dockerfile")).build();
    assertThat(images.check(otherDockerfile, records).status())
        .isEqualTo(Freshness.Status.INPUTS_CHANGED);
    BuildSpec withArg = spec.toBuilder().buildArg("JAR", "app.jar").build();
    Freshness argChanged = images.check(withArg, records);
    assertThat(argChanged.status()).isEqualTo(Freshness.Status.INPUTS_CHANGED);
    assertThat(argChanged.changedPaths()).containsExactly("build-arg JAR");
  }

  @Test
  void touchingAFileWithoutChangingItRefreshesTheStatCacheButNothingElse() throws IOException {
    BuildRecord built = images.ensure(spec, records).record();
    Path a = context.resolve("a.txt");
    Files.setLastModifiedTime(a, FileTime.from(Instant.now().minusSeconds(30)));
    EnsureResult fresh = images.ensure(spec, records);
    assertThat(fresh.built()).isFalse();
    BuildRecord refreshed = new RecordStore(records, "greeter").record().orElseThrow();
    assertThat(refreshed.files().get("a.txt").mtimeNanos())
        .isNotEqualTo(built.files().get("a.txt").mtimeNanos());
    assertThat(refreshed.builtAt()).isEqualTo(built.builtAt());
    assertThat(refreshed.fingerprint()).isEqualTo(built.fingerprint());
    assertThat(buildx.builds).hasSize(1);
  }

  @Test
  void describeNamesUpToFivePaths() {
    Freshness f =
        new Freshness(
            Freshness.Status.INPUTS_CHANGED, null, List.of("a", "b", "c", "d", "e", "f", "g"));
    assertThat(f.describe()).isEqualTo("inputs changed: a, b, c, d, e, ... (7 paths)");
    assertThat(new Freshness(Freshness.Status.NO_RECORD, null, null).describe())
        .isEqualTo("no record");
  }

  @Test
  void aFailedStepNamesItWritesNoRecordAndLeavesThePreviousOne() throws IOException {
    BuildRecord previous = images.ensure(spec, records).record();
    byte[] before = Files.readAllBytes(new RecordStore(records, "greeter").recordFile());
    byte[] indexBefore = Files.readAllBytes(new RecordStore(records, "greeter").indexFile());
    Files.writeString(context.resolve("a.txt"), "breaks the build");
    buildx.failing = true;
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(BuildFailedException.class)
        .hasMessage(
            "greeter: docker buildx build failed at step [2/2] COPY a.txt /: process \"/bin/sh -c"
                + " false\" did not complete successfully: exit code: 1\nlast output:\n  oh no")
        .satisfies(
            e -> {
              BuildFailedException f = (BuildFailedException) e;
              assertThat(f.failedStep()).isEqualTo("[2/2] COPY a.txt /");
              assertThat(f.lastLines()).containsExactly("oh no");
            });
    assertThat(Files.readAllBytes(new RecordStore(records, "greeter").recordFile()))
        .isEqualTo(before);
    assertThat(new RecordStore(records, "greeter").record()).contains(previous);
    assertThat(Files.readAllBytes(new RecordStore(records, "greeter").indexFile()))
        .isEqualTo(indexBefore);
    try (Stream<Path> files = Files.list(records)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("greeter.json", "greeter.index", "greeter.lock");
    }
  }

  @Test
  void theEngineStoppingMidBuildIsNamedAndNothingIsRecorded() {
    buildx.engineStops = true;
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessage(
            "greeter: the Docker engine stopped answering during the build (buildx: failed to"
                + " build: failed to receive status: rpc error: code = Unavailable desc = error"
                + " reading from server: EOF); nothing was recorded. Start Docker ('docker info'"
                + " must work) and build again.");
    assertThat(new RecordStore(records, "greeter").recordFile()).doesNotExist();
  }

  @Test
  void aBrokenCacheRecordIsRemovedAndTheBuildRunsAgainWithOneWarning() {
    buildx.brokenCacheBuilds = 1;
    EnsureResult result = images.ensure(spec, records);
    assertThat(result.built()).isTrue();
    assertThat(buildx.builds).hasSize(2);
    assertThat(buildx.prunes).containsExactly("null [sc5esxmha2uajapt5094q1age]");
    assertThat(logged.stream().filter(l -> l.startsWith("WARN ")))
        .containsExactly(
            "WARN greeter: BuildKit's build cache held a record whose snapshot is gone (snapshot"
                + " sc5esxmha2uajapt5094q1age does not exist; left by a build stopped while it"
                + " committed a layer, e.g. a killed build). Removed it (docker buildx prune --all"
                + " --force --filter id=sc5esxmha2uajapt5094q1age) and built again.");
    assertThat(new RecordStore(records, "greeter").record().orElseThrow().imageId())
        .isEqualTo(result.record().imageId());
  }

  @Test
  void aCacheStillBrokenAfterTheRetryFailsOnceWithTheFixAndNoRecord() {
    buildx.brokenCacheBuilds = 2;
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining(
            "greeter: docker buildx build failed at step exporting to image: failed to commit")
        .hasMessageEndingWith(
            "BuildKit's build cache is still broken after removing that record: run 'docker buildx"
                + " prune --all' (or 'docker builder prune -a') and build again.");
    assertThat(buildx.builds).hasSize(2); // one retry, not a loop
    assertThat(buildx.prunes).hasSize(1);
    assertThat(new RecordStore(records, "greeter").recordFile()).doesNotExist();
  }

  @Test
  void cacheExportFailuresWarnUnlessAskedToFail() {
    buildx.exportFails = true;
    EnsureResult result = images.ensure(spec, records);
    assertThat(result.built()).isTrue();
    assertThat(logged)
        .contains(
            "WARN greeter: cache export to type=local,dest=/c2 failed: error writing layer blob:"
                + " connection refused; the image is built, the cache was not updated");
    assertThat(logged).filteredOn(l -> l.startsWith("WARN ")).hasSize(1);

    BuildSpec strict = spec.toBuilder().failOnCacheExportError(true).buildArg("X", "1").build();
    assertThatThrownBy(() -> images.ensure(strict, records))
        .isInstanceOf(BuildFailedException.class)
        .hasMessage(
            "greeter: cache export failed (exporting cache to client directory): error writing layer blob:"
                + " connection refused (failOnCacheExportError is set; unset it to build on with a warning)");
    assertThat(buildx.builds.get(1).cacheTo())
        .containsExactly(CacheSpec.parseExport("type=local,dest=/c2,mode=max"));
    assertThat(new RecordStore(records, "greeter").record()).contains(result.record());
  }

  @Test
  void noEngine() {
    engine.reachable = false;
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessage(
            "Cannot reach a Docker engine. Start Docker, or point DOCKER_HOST at a running engine; 'docker info' must work.");
  }

  @Test
  void theRecordKeepsTheEngineAndAnotherEngineIsNamedAsTheReason() {
    EnsureResult built = images.ensure(spec, records);
    assertThat(built.record().engine())
        .isEqualTo(new BuildRecord.Engine("engine-one-id", "unix:///var/run/docker.sock"));
    assertThat(new RecordStore(records, "greeter").record().orElseThrow().engine())
        .isEqualTo(built.record().engine());

    engine.images.clear(); // the same record, asked on another engine that lacks the image
    engine.identity =
        new EngineInfo("engine-two-id", "unix:///var/run/other.sock", "28.5.2", false);
    logged.clear();
    images.withEngineUse("tests run on").ensure(spec, records);
    assertThat(logged)
        .contains(
            "INFO greeter: building (image built on engine engine-one-i (unix:///var/run/docker.sock),"
                + " tests run on engine engine-two-i (unix:///var/run/other.sock))");

    engine.images.clear(); // same engine as recorded: the plain reason
    logged.clear();
    images.ensure(spec, records);
    assertThat(logged)
        .contains("INFO greeter: building (image sha256:aaaaaaaaaaaa is gone from the engine)");
  }

  @Test
  void podmanAndOldEnginesAreRefusedBeforeBuildingWithTheDockerDriver() {
    engine.identity = new EngineInfo("", "unix:///run/podman/podman.sock", "5.2.0", true);
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessageContaining(
            "unix:///run/podman/podman.sock is Podman's Docker-compatible service");
    engine.identity = new EngineInfo("x", "tcp://old:2375", "20.10.24", false);
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessage(
            "Docker engine 20.10.24 at tcp://old:2375 is older than 24.0, the oldest cached-image"
                + " supports (its BuildKit cannot export the caches or load the image reliably)."
                + " Upgrade Docker.");
    assertThat(buildx.builds).isEmpty();

    // a builder with its own BuildKit only loads into the engine
    buildx.info = new Buildx.Info("0.29.1", "remote-kit", "docker-container", false);
    images.ensure(spec, records);
    assertThat(buildx.builds).hasSize(1);
  }

  @Test
  void buildxTooOld() {
    buildx.info = new Buildx.Info("0.20.1", "default", "docker", true);
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessage(
            "docker buildx 0.20.1 is older than 0.21, the oldest version cached-image supports."
                + " Upgrade the buildx plugin: https://github.com/docker/buildx#installing");
  }

  @Test
  void dockerDriverWithoutContainerdStoreCannotExport() {
    buildx.info = new Buildx.Info("0.29.1", "default", "docker", false);
    assertThatThrownBy(() -> images.ensure(spec, records))
        .isInstanceOf(BuildxUnsupportedException.class)
        .hasMessageStartingWith(
            "buildx builder 'default' uses the docker driver without the containerd image store,"
                + " which cannot export cache type=local. Fix: enable the containerd image store")
        .hasMessageContaining("docker buildx create --name cached-image --driver docker-container");
    assertThat(buildx.builds).isEmpty();
  }

  @Test
  void theDockerDriversImageStoreIsTheEnginesWord() {
    buildx.info = new Buildx.Info("0.29.1", "default", "docker", false);
    engine.identity = new EngineInfo("x", "unix:///var/run/docker.sock", "28.5.2", false, true);
    images.ensure(spec, records);
    assertThat(buildx.builds).singleElement().satisfies(b -> assertThat(b.cacheTo()).isNotEmpty());
  }

  @Test
  void theDefaultCacheIsTurnedOffWithOneInfoLineWhenTheBuilderCannotExport() {
    buildx.info = new Buildx.Info("0.29.1", "default", "docker", false);
    images.ensure(BuildSpec.builder("greeter", context).build(), records);
    assertThat(buildx.builds).singleElement().satisfies(b -> assertThat(b.cacheTo()).isEmpty());
    assertThat(logged)
        .filteredOn(line -> line.contains("default local cache"))
        .containsExactly(
            "INFO greeter: default local cache off: buildx builder 'default' uses the docker driver"
                + " without the containerd image store, which cannot export cache (enable the"
                + " containerd image store, or configure <cacheTo>/<cacheFrom> with type=inline, to"
                + " keep layers between runs)");
  }

  @Test
  void defaultCacheExportsToAFreshGenerationAndSwapsItIn() throws IOException {
    BuildSpec plain = BuildSpec.builder("greeter", context).build();
    images.ensure(plain, records);
    Buildx.Invocation first = buildx.builds.get(0);
    assertThat(first.cacheFrom()).isEmpty();
    Path gen1 = Path.of(first.cacheTo().get(0).attribute("dest"));
    assertThat(gen1.getParent()).isEqualTo(cacheRoot.resolve("greeter"));
    assertThat(first.cacheTo().get(0).toBuildxArgument()).endsWith(",mode=max,ignore-error=true");

    Files.writeString(context.resolve("a.txt"), "next");
    images.ensure(plain, records);
    Buildx.Invocation second = buildx.builds.get(1);
    assertThat(second.cacheFrom()).containsExactly(CacheSpec.of("local", "src", gen1.toString()));
    Path gen2 = Path.of(second.cacheTo().get(0).attribute("dest"));
    assertThat(gen2).isNotEqualTo(gen1);
    assertThat(gen1).doesNotExist();
    assertThat(gen2.resolve("index.json")).exists();
    assertThat(Files.readString(cacheRoot.resolve("greeter/CURRENT")))
        .isEqualTo(gen2.getFileName().toString());
  }

  @Test
  void concurrentEnsuresBuildOnce() throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 6; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  images.ensure(spec, records);
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(20_000);
    }
    assertThat(errors).isEmpty();
    assertThat(buildx.builds).hasSize(1);
  }

  static final class FakeEngine implements DockerImages {
    /** Reference or ID to image ID. */
    final Map<String, String> images = new java.util.concurrent.ConcurrentHashMap<>();

    final List<String> asked = new CopyOnWriteArrayList<>();
    final Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    volatile boolean reachable = true;
    volatile EngineInfo identity =
        new EngineInfo("engine-one-id", "unix:///var/run/docker.sock", "28.5.2", false);

    @Override
    public boolean isReachable() {
      return reachable;
    }

    @Override
    public EngineInfo engine() {
      return identity;
    }

    @Override
    public Optional<String> findImage(String imageIdOrRef) {
      if (!reachable) {
        throw new DockerUnavailableException("down");
      }
      asked.add(imageIdOrRef);
      if (refused.contains(imageIdOrRef)) {
        throw new CachedImageException("the Docker engine answered 500 to " + imageIdOrRef);
      }
      String id = images.get(imageIdOrRef);
      boolean untagged =
          !imageIdOrRef.startsWith("sha256:")
              && imageIdOrRef.lastIndexOf(':') <= imageIdOrRef.lastIndexOf('/');
      return Optional.ofNullable(
          id == null && untagged ? images.get(imageIdOrRef + ":latest") : id);
    }
  }

  class FakeBuildx implements Buildx {
    final List<Invocation> builds = new CopyOnWriteArrayList<>();
    volatile int infoCalls;
    final List<String> infoThreads = new CopyOnWriteArrayList<>();
    volatile Info info = new Info("0.29.1", "default", "docker", true);
    volatile boolean failing;
    volatile boolean exportFails;

    /** Builds that fail on a broken cache record (BuildKit's finalize error) before one works. */
    volatile int brokenCacheBuilds;

    /** The engine goes away while the build runs. */
    volatile boolean engineStops;

    final List<String> prunes = new CopyOnWriteArrayList<>();

    @Override
    public String pruneCache(String builder, List<String> recordIds) {
      prunes.add(builder + " " + recordIds);
      return "docker buildx prune --all --force --filter id=" + recordIds.get(0);
    }

    /** Each build its own image ID (from its content tag), instead of always sha256:aaa... */
    volatile boolean idsFromTags;

    @Override
    public Info info(String builder) {
      infoCalls++;
      infoThreads.add(Thread.currentThread().getName());
      return info;
    }

    @Override
    public int build(Invocation invocation, Consumer<String> output) {
      builds.add(invocation);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      output.accept("#1 [internal] load build definition from Dockerfile");
      output.accept("#4 [1/2] FROM docker.io/library/busybox");
      output.accept("#4 CACHED");
      output.accept("#5 [2/2] COPY a.txt /");
      if (engineStops) {
        engine.reachable = false;
        output.accept(
            "ERROR: failed to build: failed to receive status: rpc error: code = Unavailable desc"
                + " = error reading from server: EOF");
        return 1;
      }
      if (failing) {
        output.accept("#5 0.123 oh no");
        output.accept(
            "#5 ERROR: process \"/bin/sh -c false\" did not complete successfully: exit code: 1");
        output.accept(
            "ERROR: failed to build: failed to solve: process \"/bin/sh -c false\" did not complete successfully: exit code: 1");
        return 1;
      }
      output.accept("#5 DONE 0.1s");
      if (brokenCacheBuilds > 0) {
        brokenCacheBuilds--;
        String error =
            "failed to commit sc5esxmha2uajapt5094q1age to gjb7pd5e2dpnng2sfh73r0ezn during"
                + " finalize: failed to stat active key during commit: snapshot"
                + " sc5esxmha2uajapt5094q1age does not exist: not found";
        output.accept("#6 exporting to image");
        output.accept("#6 ERROR: " + error);
        output.accept("ERROR: failed to build: failed to solve: " + error);
        return 1;
      }
      if (exportFails) {
        output.accept("#9 exporting cache to client directory");
        output.accept("#9 ERROR: error writing layer blob: connection refused");
        if (invocation.cacheTo().stream()
            .noneMatch(c -> "true".equals(c.attribute("ignore-error")))) {
          output.accept(
              "ERROR: failed to build: failed to solve: error writing layer blob: connection refused");
          return 1;
        }
      }
      try {
        Files.writeString(
            invocation.metadataFile(),
            "{\"containerimage.digest\":\"sha256:" + "a".repeat(64) + "\"}");
        for (CacheSpec to : invocation.cacheTo()) {
          if (to.type().equals("local")) {
            Path dest = Path.of(to.attribute("dest"));
            Files.createDirectories(dest);
            Files.writeString(dest.resolve("index.json"), "{}");
          }
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      String fp =
          invocation.tags().get(0).substring(invocation.tags().get(0).lastIndexOf("fp-") + 3);
      String id = "sha256:" + (idsFromTags ? fp.repeat(6).substring(0, 64) : "a".repeat(64));
      for (String tag : invocation.tags()) {
        engine.images.put(tag, id);
      }
      engine.images.put(id, id);
      return 0;
    }
  }
}
