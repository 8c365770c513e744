package io.github.cachedimage.core;

import io.github.cachedimage.core.base.BuildLog;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.EngineInfo;
import io.github.cachedimage.core.engine.ImageTransfer;
import io.github.cachedimage.core.fingerprint.Fingerprinter;
import io.github.cachedimage.core.record.BuildRecord;
import io.github.cachedimage.core.record.BuildRecord.CacheSummary;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.registry.Credentials;
import io.github.cachedimage.core.registry.ImageReference;
import io.github.cachedimage.core.registry.RegistryClient;
import io.github.cachedimage.core.registry.RegistryCredentials;
import io.github.cachedimage.core.registry.RegistryException;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.ReuseSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fingerprint-keyed reuse ({@link ReuseSpec}): before a build, pull the image another runner built
 * from the same inputs ({@code <repository>:fp-<key>}); after a build, push it under that key. A
 * registry that cannot be asked, refuses, or fails a transfer costs a warning and a normal build
 * (an error in strict mode); nothing here ever records an image not built from these inputs.
 */
final class ImageReuse {
  private final BuildLog log;
  private final DockerImages images;
  private final ImageTransfer transfer;
  private final RegistryClient registry;
  private final RegistryCredentials credentials;

  ImageReuse(
      BuildLog log,
      DockerImages images,
      ImageTransfer transfer,
      RegistryClient registry,
      RegistryCredentials credentials) {
    this.log = log;
    this.images = images;
    this.transfer = transfer;
    this.registry = registry;
    this.credentials = credentials;
  }

  /** The key's reference, {@code <repository>:fp-<64 hex>}, or {@code null} when it has none. */
  ImageReference keyReference(BuildSpec spec, Fingerprinter.Result fp) {
    Map<String, String> digests = new LinkedHashMap<>();
    for (Map.Entry<String, String> base : fp.bases().entrySet()) {
      String digest = base.getValue();
      if (digest.isEmpty()) {
        digest = remoteDigest(spec, base.getKey());
        if (digest == null) {
          return null;
        }
      }
      digests.put(base.getKey(), digest);
    }
    return ImageReference.parse(
        spec.reuse().repository() + ":fp-" + Fingerprinter.reuseKey(fp, digests));
  }

  /** A base the engine lacks is named by its registry digest, so a changed base changes the key. */
  private String remoteDigest(BuildSpec spec, String base) {
    try {
      ImageReference ref = ImageReference.parse(base);
      Optional<String> digest = registry.manifestDigest(ref, credentials.find(ref.registry()));
      if (digest.isPresent()) {
        return digest.get();
      }
      log.info(
          spec.image()
              + ": no reuse: base image "
              + base
              + " is neither in the engine nor in its registry");
    } catch (CachedImageException e) {
      notUsable(spec, "base image " + base + ": " + e.getMessage());
    }
    return null;
  }

  /**
   * Pulls the image built earlier from the same inputs, tags it as a build would and records it.
   *
   * @return the record written, or {@code null} when nothing was pulled (build instead)
   */
  BuildRecord pull(BuildSpec spec, RecordStore store, Fingerprinter.Result fp, ImageReference key) {
    Optional<Credentials> creds = credentials.find(key.registry());
    Optional<String> digest;
    long asked = System.nanoTime();
    try {
      digest = registry.manifestDigest(key, creds);
      log.debug(
          spec.image()
              + ": registry answered for "
              + shortKey(key)
              + " in "
              + (System.nanoTime() - asked) / 1_000_000
              + " ms");
    } catch (RegistryException e) {
      notUsable(spec, explain(e, key.registry(), creds));
      return null;
    }
    if (digest.isEmpty()) {
      log.info(spec.image() + ": no image for these inputs in " + shortKey(key) + " yet");
      return null;
    }
    long start = System.nanoTime();
    String imageId;
    try {
      imageId = transfer.pull(key.toString(), creds);
    } catch (CachedImageException e) {
      notUsable(spec, e.getMessage());
      return null;
    }
    String tag = ImageBuild.contentTagOf(fp);
    String contentTag = spec.image() + ":" + tag;
    transfer.tag(imageId, spec.image(), tag);
    transfer.tag(imageId, spec.image(), "latest");
    long millis = (System.nanoTime() - start) / 1_000_000;
    log.debug(spec.image() + ": pull of " + shortKey(key) + " and its tags took " + millis + " ms");
    EngineInfo engine = images.engine();
    BuildRecord record =
        new BuildRecord(
            spec.image(),
            spec,
            fp.fingerprint(),
            imageId,
            digest.get(),
            List.of(contentTag, spec.image() + ":latest"),
            contentTag,
            Instant.now(),
            millis,
            new CacheSummary(0, 0, List.of()),
            fp.files(),
            fp.bases(),
            new BuildRecord.Engine(engine.id(), engine.host()),
            key + "@" + digest.get(),
            BuildRecord.FORMAT_VERSION);
    store.write(record, fp);
    return record;
  }

  /** After a build: pushes it under the key for other runners, when the policy allows. */
  void push(BuildSpec spec, BuildRecord built, ImageReference key, Map<String, String> env) {
    if (!spec.reuse().pushes(env)) {
      log.info(
          spec.image()
              + ": not pushing "
              + shortKey(key)
              + " (reusePush="
              + spec.reuse().push()
              + " on a pull request)");
      return;
    }
    Optional<Credentials> creds = credentials.find(key.registry());
    try {
      transfer.tag(built.imageId(), key.name(), key.tag());
      String digest = transfer.push(key.toString(), creds);
      log.info(spec.image() + ": pushed " + shortKey(key) + " (" + digest + ") for other runners");
    } catch (CachedImageException e) {
      notUsable(spec, "push of " + shortKey(key) + " failed: " + e.getMessage());
    }
  }

  private String explain(RegistryException e, String registry, Optional<Credentials> creds) {
    if (e.kind() == RegistryException.Kind.UNAUTHORIZED && creds.isEmpty()) {
      return credentials.noCredentialsMessage(registry);
    }
    return e.getMessage();
  }

  private void notUsable(BuildSpec spec, String why) {
    if (spec.reuse().strict()) {
      throw new CachedImageException(
          spec.image() + ": " + why + " (reuseStrict is set; unset it to build instead)");
    }
    log.warn(spec.image() + ": reuse skipped, building instead: " + why);
  }

  /** {@code ghcr.io/acme/greeter:fp-1a2b3c4d5e6f}: the key shortened for log lines. */
  static String shortKey(ImageReference key) {
    String tag = key.tag();
    return key.name() + ":" + (tag.length() > 15 ? tag.substring(0, 15) : tag);
  }
}
