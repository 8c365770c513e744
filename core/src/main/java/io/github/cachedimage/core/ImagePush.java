package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.ImageTransfer;
import io.github.cachedimage.core.record.AtomicFiles;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.RecordRead;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.registry.Credentials;
import io.github.cachedimage.core.registry.ImageReference;
import io.github.cachedimage.core.registry.RegistryCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Publishes the image that was tested: the recorded one, only while it is fresh (the record's
 * inputs unchanged and the image still in the engine), under the given references. Writes what was
 * pushed next to the record ({@code <image>.pushed.json}).
 */
final class ImagePush {

  /** One pushed reference and the manifest digest the registry stored. */
  record Pushed(String reference, String digest) {}

  private final BuildLog log;
  private final DockerImages images;
  private final ImageTransfer transfer;
  private final RegistryCredentials credentials;

  ImagePush(
      BuildLog log, DockerImages images, ImageTransfer transfer, RegistryCredentials credentials) {
    this.log = log;
    this.images = images;
    this.transfer = transfer;
    this.credentials = credentials;
  }

  /**
   * @param tags plain tags (pushed to {@code repository}, else to the recorded reuse repository) or
   *     full references
   * @param repository where plain tags go, or {@code null}
   */
  List<Pushed> push(RecordStore store, List<String> tags, String repository) {
    if (tags.isEmpty()) {
      throw new CachedImageException(
          store.image() + ": nothing to push: configure <pushTags> (tags or full references)");
    }
    RecordRead read = store.read();
    BuildRecord record = read.record();
    if (record == null || record.spec() == null) {
      throw new CachedImageException(
          store.image()
              + ": no record to push from ("
              + (read.problem() == null ? "none in " + store.directory() : read.problem())
              + "). Run the build goal first: mvn verify builds, tests and records the image.");
    }
    if (repository == null && record.spec().reuse() != null) {
      repository = record.spec().reuse().repository();
    }
    List<ImageReference> targets = new ArrayList<>();
    for (String tag : tags) {
      if (!tag.contains("/") && repository == null) {
        throw new CachedImageException(
            store.image()
                + ": tag '"
                + tag
                + "' has no repository to go to. Set <pushRepository> (or the build goal's"
                + " <imageRepository>), e.g. ghcr.io/acme/greeter, or give a full reference.");
      }
      targets.add(ImageReference.parse(tag.contains("/") ? tag : repository + ":" + tag));
    }
    Freshness freshness = new FreshnessCheck(images).check(record.spec(), store).freshness();
    if (!freshness.isFresh()) {
      throw new CachedImageException(
          store.image()
              + ": refusing to push a stale image ("
              + freshness.describe()
              + "). Build and test it first (mvn verify), then push what was tested.");
    }
    List<Pushed> pushed = new ArrayList<>();
    for (ImageReference target : targets) {
      Optional<Credentials> creds = credentials.find(target.registry());
      transfer.tag(record.imageId(), target.name(), target.tag());
      String digest = transfer.push(target.toString(), creds);
      log.info(store.image() + ": pushed " + target + " (" + digest + ")");
      pushed.add(new Pushed(target.toString(), digest));
    }
    write(store, record, pushed);
    return pushed;
  }

  private static void write(RecordStore store, BuildRecord record, List<Pushed> pushed) {
    StringBuilder json = new StringBuilder("{\n  \"image\": \"").append(record.image());
    json.append("\",\n  \"imageId\": \"").append(record.imageId()).append("\",\n  \"pushed\": [");
    for (int i = 0; i < pushed.size(); i++) {
      json.append(i == 0 ? "\n" : ",\n");
      json.append("    {\"reference\": \"").append(pushed.get(i).reference());
      json.append("\", \"digest\": \"").append(pushed.get(i).digest()).append("\"}");
    }
    json.append("\n  ]\n}\n");
    Path file = store.pushedFile();
    try {
      AtomicFiles.write(file, json.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CachedImageException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
