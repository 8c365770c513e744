package io.github.cachedimage.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.ImageTag;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.KeepContentTags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentTagPruningTest {
  @TempDir Path root;

  /**
   * An engine holding tags fp-000000000001 (oldest) .. fp-00000000000N (newest), one image each.
   */
  static class Engine implements DockerImages {
    final List<ImageTag> tags = new ArrayList<>();
    final Set<String> inUse = new HashSet<>();
    final List<String> untagged = new ArrayList<>();
    final Set<String> refusing = new HashSet<>();

    Engine(int n) {
      for (int i = 1; i <= n; i++) {
        tags.add(new ImageTag("greeter:" + tag(i), id(i), Instant.ofEpochSecond(1000 + i)));
      }
    }

    static String tag(int i) {
      return String.format("fp-%012d", i);
    }

    static String id(int i) {
      return "sha256:" + String.format("%064d", i);
    }

    @Override
    public boolean isReachable() {
      return true;
    }

    @Override
    public Optional<String> findImage(String imageIdOrRef) {
      return Optional.empty();
    }

    @Override
    public List<ImageTag> tags(String repository, String tagPattern) {
      assertThat(tagPattern).isEqualTo("fp-*");
      return tags.stream()
          .filter(t -> t.repository().equals(repository) && t.tag().startsWith("fp-"))
          .toList();
    }

    @Override
    public Set<String> containerImageIds() {
      return inUse;
    }

    @Override
    public void untag(String reference) {
      if (refusing.contains(reference)) {
        throw new CachedImageException("conflict: unable to remove " + reference);
      }
      untagged.add(reference);
    }
  }

  final List<String> infos = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();
  final List<String> debugs = new ArrayList<>();
  final BuildLog log =
      new BuildLog() {
        @Override
        public void info(String message) {
          infos.add(message);
        }

        @Override
        public void warn(String message) {
          warnings.add(message);
        }

        @Override
        public void debug(String message) {
          debugs.add(message);
        }
      };

  RecordStore store() {
    return new RecordStore(root.resolve("app").resolve(RecordStore.DEFAULT_DIRECTORY), "greeter");
  }

  List<String> prune(Engine engine, String current, KeepContentTags keep) {
    return new ContentTagPruning(log, engine).prune("greeter", current, store(), keep);
  }

  @Test
  void keepsTheNewestIncludingTheCurrentAndUntagsTheRestInOneInfoLine() {
    Engine engine = new Engine(6);
    List<String> removed = prune(engine, "greeter:" + Engine.tag(6), KeepContentTags.DEFAULT);
    assertThat(removed)
        .containsExactly(
            "greeter:" + Engine.tag(3), "greeter:" + Engine.tag(2), "greeter:" + Engine.tag(1));
    assertThat(engine.untagged).isEqualTo(removed);
    assertThat(infos)
        .containsExactly(
            "greeter: removed 3 superseded content tags (greeter:fp-000000000003,"
                + " greeter:fp-000000000002, greeter:fp-000000000001); keepContentTags=3");
    assertThat(warnings).isEmpty();
  }

  @Test
  void theCurrentTagCountsEvenWhenItsImageIsOlder() {
    Engine engine = new Engine(4);
    // back to the inputs of build 1: its (cached, so older) image is current again
    prune(engine, "greeter:" + Engine.tag(1), new KeepContentTags(2));
    assertThat(engine.untagged)
        .containsExactly("greeter:" + Engine.tag(3), "greeter:" + Engine.tag(2));
  }

  @Test
  void aTagAContainerUsesOrARecordNamesStaysWithADebugLineSayingWhy() throws Exception {
    Engine engine = new Engine(6);
    engine.inUse.add(Engine.id(1));
    Files.createDirectories(store().directory());
    // another image's record in the same directory names build 2's tag
    Files.writeString(
        store().directory().resolve("other.json"),
        "{\"contentTag\":\"greeter:" + Engine.tag(2) + "\"}");
    // a sibling module's record, found through the reactor root's pointer
    Path sibling = root.resolve("service").resolve(RecordStore.DEFAULT_DIRECTORY);
    Files.createDirectories(sibling);
    Files.writeString(sibling.resolve("greeter.index"), "content-tag\tgreeter:fp-000000000003\n");
    Path rootRecords = root.resolve(RecordStore.DEFAULT_DIRECTORY);
    Files.createDirectories(rootRecords);
    Files.writeString(rootRecords.resolve("greeter.location"), sibling.toString());

    List<String> removed = prune(engine, "greeter:" + Engine.tag(6), new KeepContentTags(1));
    assertThat(removed).containsExactly("greeter:" + Engine.tag(5), "greeter:" + Engine.tag(4));
    assertThat(debugs)
        .contains(
            "greeter: kept greeter:fp-000000000001 (a container uses image sha256:000000000000)")
        .contains(
            "greeter: kept greeter:fp-000000000002 (named by "
                + store().directory().resolve("other.json").toAbsolutePath()
                + ")")
        .contains(
            "greeter: kept greeter:fp-000000000003 (named by "
                + sibling.resolve("greeter.index")
                + ")");
  }

  @Test
  void allKeepsEverythingAndAsksTheEngineNothing() {
    Engine engine =
        new Engine(5) {
          @Override
          public List<ImageTag> tags(String repository, String tagPattern) {
            throw new AssertionError("not asked");
          }
        };
    assertThat(prune(engine, "greeter:" + Engine.tag(5), KeepContentTags.ALL)).isEmpty();
    assertThat(debugs).containsExactly("greeter: keeping every content tag (keepContentTags=all)");
  }

  @Test
  void failuresAreOneWarningAndNeverThrow() {
    Engine refusing = new Engine(5);
    refusing.refusing.add("greeter:" + Engine.tag(1));
    prune(refusing, "greeter:" + Engine.tag(5), KeepContentTags.DEFAULT);
    assertThat(refusing.untagged).containsExactly("greeter:" + Engine.tag(2));
    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith(
            "greeter: could not remove superseded content tags (conflict: unable to remove"
                + " greeter:fp-000000000001); they stay");

    warnings.clear();
    Engine gone =
        new Engine(5) {
          @Override
          public Set<String> containerImageIds() {
            throw new CachedImageException("Cannot reach a Docker engine");
          }
        };
    assertThat(prune(gone, "greeter:" + Engine.tag(5), KeepContentTags.DEFAULT)).isEmpty();
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains("could not remove superseded content tags (Cannot reach a Docker engine)");
  }

  @Test
  void asManyTagsAsKeptReadNoRecords() {
    Engine engine = new Engine(3);
    assertThat(prune(engine, "greeter:" + Engine.tag(3), KeepContentTags.DEFAULT)).isEmpty();
    assertThat(infos).isEmpty();
    assertThat(debugs).isEmpty();
  }
}
