package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.ImageTag;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.KeepContentTags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * After a build (or a pull) made a new content tag: untags the image's superseded content tags
 * ({@code <image>:fp-<12 hex>}), keeping the newest few (the current one first) and every one that
 * a container (running or stopped) uses or that a record names: the records next to this one, and
 * those that reactor-root pointers ({@code <image>.location}) lead to, from this record directory
 * and from the record directories of the module's ancestors. Untagging is never forced, so an image
 * another tag names stays. A failure is a warning: housekeeping never fails a build.
 */
final class ContentTagPruning {
  static final String PATTERN = "fp-*";
  private static final Pattern NAMED = Pattern.compile("fp-[0-9a-f]{12}");

  private final BuildLog log;
  private final DockerImages images;

  ContentTagPruning(BuildLog log, DockerImages images) {
    this.log = log;
    this.images = images;
  }

  /**
   * @param currentTag the content tag just made, {@code greeter:fp-...} (or just {@code fp-...})
   * @return the references removed
   */
  List<String> prune(String image, String currentTag, RecordStore store, KeepContentTags keep) {
    if (keep.all()) {
      log.debug(image + ": keeping every content tag (keepContentTags=all)");
      return List.of();
    }
    try {
      return pruneOrThrow(image, currentTag, store, keep);
    } catch (RuntimeException e) {
      log.warn(image + ": " + HelpfulSuggestions.contentTagsNotPruned(e.getMessage()));
      return List.of();
    }
  }

  private List<String> pruneOrThrow(
      String image, String currentTag, RecordStore store, KeepContentTags keep) {
    List<ImageTag> tags = new ArrayList<>(images.tags(image, PATTERN));
    if (tags.size() <= keep.count()) {
      return List.of();
    }
    String current = currentTag.substring(currentTag.lastIndexOf(':') + 1);
    // newest image first; tags of one image (or one second) in a stable order
    tags.sort(
        Comparator.comparing(ImageTag::created)
            .reversed()
            .thenComparing(ImageTag::reference, Comparator.reverseOrder()));
    Map<String, Path> named = namedByRecords(store);
    Set<String> inUse = images.containerImageIds();
    int kept = 1; // the current tag
    List<String> removed = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (ImageTag tag : tags) {
      String ref = tag.reference();
      if (tag.tag().equals(current)) {
        continue;
      }
      if (kept < keep.count()) {
        kept++;
        log.debug(image + ": kept " + ref + " (one of the " + keep.count() + " newest)");
      } else if (inUse.contains(tag.imageId())) {
        log.debug(
            image
                + ": kept "
                + ref
                + " (a container uses image "
                + HelpfulSuggestions.shortId(tag.imageId())
                + ")");
      } else if (named.containsKey(tag.tag())) {
        log.debug(image + ": kept " + ref + " (named by " + named.get(tag.tag()) + ")");
      } else {
        try {
          images.untag(ref);
          removed.add(ref);
        } catch (RuntimeException e) {
          failed.add(e.getMessage());
        }
      }
    }
    if (!removed.isEmpty()) {
      log.info(
          image
              + ": removed "
              + removed.size()
              + " superseded content tag"
              + (removed.size() == 1 ? "" : "s")
              + " ("
              + String.join(", ", removed)
              + "); keepContentTags="
              + keep);
    }
    if (!failed.isEmpty()) {
      log.warn(image + ": " + HelpfulSuggestions.contentTagsNotPruned(String.join("; ", failed)));
    }
    return removed;
  }

  /** Each content tag a record names, with the first file naming it. */
  static Map<String, Path> namedByRecords(RecordStore store) {
    Path here = store.directory().toAbsolutePath().normalize();
    Set<Path> directories = new LinkedHashSet<>();
    directories.add(here);
    List<Path> withPointers = new ArrayList<>();
    withPointers.add(here);
    Path module = moduleOf(here);
    for (Path dir = module == null ? null : module.getParent();
        dir != null;
        dir = dir.getParent()) {
      withPointers.add(dir.resolve(RecordStore.DEFAULT_DIRECTORY));
    }
    for (Path dir : withPointers) {
      for (Path pointer : files(dir, "*.location")) {
        try {
          directories.add(
              Path.of(Files.readString(pointer, StandardCharsets.UTF_8).strip())
                  .toAbsolutePath()
                  .normalize());
        } catch (IOException | RuntimeException unreadable) {
          // a pointer no one can follow protects nothing
        }
      }
    }
    Map<String, Path> named = new LinkedHashMap<>();
    for (Path dir : directories) {
      for (Path file : files(dir, "*.{json,index}")) {
        try {
          Matcher m = NAMED.matcher(Files.readString(file, StandardCharsets.ISO_8859_1));
          while (m.find()) {
            named.putIfAbsent(m.group(), file);
          }
        } catch (IOException unreadable) {
          // being replaced, or gone: the next build looks again
        }
      }
    }
    return named;
  }

  /** {@code <module>} of {@code <module>/target/cached-image}, else null. */
  private static Path moduleOf(Path recordDirectory) {
    return recordDirectory.endsWith(RecordStore.DEFAULT_DIRECTORY)
        ? recordDirectory.getParent().getParent()
        : null;
  }

  private static List<Path> files(Path dir, String glob) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry)) {
          out.add(entry);
        }
      }
    } catch (IOException unreadable) {
      // nothing to learn from it
    }
    return out;
  }
}
