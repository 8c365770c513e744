package io.github.cachedimage.core.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to build one image: what both adapters turn their configuration into.
 * Immutable; the canonical constructor validates and copies (maps are sorted by key so that equal
 * specs serialise identically). Plain JSON via Jackson, since the build record stores it.
 *
 * <pre>{@code
 * BuildSpec spec = BuildSpec.builder("greeter", Path.of("/work/greeter"))
 *     .buildArg("JAR", "target/greeter.jar")
 *     .cacheFrom(CacheSpec.parseImport("type=registry,ref=localhost:5000/greeter:cache"))
 *     .cacheTo(CacheSpec.parseExport("type=registry,ref=localhost:5000/greeter:cache,mode=max"))
 *     .build();
 * }</pre>
 *
 * @param image repository name without tag ({@code greeter}, {@code localhost:5000/team/greeter});
 *     cached-image tags {@code <image>:fp-<12 hex>} and {@code <image>:latest}
 * @param contextDirectory absolute path of the build context
 * @param dockerfile absolute path of the Dockerfile
 * @param buildArgs {@code --build-arg}s
 * @param target {@code --target} stage or {@code null}
 * @param platform {@code --platform} (one platform, as the image is loaded) or {@code null}
 * @param labels {@code --label}s
 * @param secrets {@code --secret}s (ids only enter fingerprints)
 * @param cacheFrom {@code --cache-from} entries; with none of either, a default local cache applies
 * @param cacheTo {@code --cache-to} entries
 * @param builder a buildx builder name or {@code null} for the current one
 * @param pull {@code --pull} when building
 * @param noCache {@code --no-cache} when building
 * @param failOnCacheExportError fail the build when a cache export fails (default: warn)
 * @param reuse fingerprint-keyed reuse through a registry, or {@code null} for none
 */
public record BuildSpec(
    String image,
    Path contextDirectory,
    Path dockerfile,
    Map<String, String> buildArgs,
    String target,
    String platform,
    Map<String, String> labels,
    List<SecretSpec> secrets,
    List<CacheSpec> cacheFrom,
    List<CacheSpec> cacheTo,
    String builder,
    boolean pull,
    boolean noCache,
    boolean failOnCacheExportError,
    ReuseSpec reuse) {

  public BuildSpec {
    image = SpecChecks.repository(image);
    contextDirectory = SpecChecks.requireAbsolute("contextDirectory", contextDirectory);
    dockerfile =
        dockerfile == null
            ? contextDirectory.resolve("Dockerfile")
            : SpecChecks.requireAbsolute("dockerfile", dockerfile);
    buildArgs = SpecChecks.sorted("buildArgs", buildArgs);
    labels = SpecChecks.sorted("labels", labels);
    target = SpecChecks.blankToNull(target);
    platform = SpecChecks.blankToNull(platform);
    builder = SpecChecks.blankToNull(builder);
    SpecChecks.onePlatform(platform);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
    cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
    cacheTo = cacheTo == null ? List.of() : List.copyOf(cacheTo);
    cacheFrom.forEach(CacheSpec::requireImportable);
    cacheTo.forEach(CacheSpec::requireExportable);
  }

  /** A builder with the defaults: Dockerfile in the context, nothing else set. */
  public static Builder builder(String image, Path contextDirectory) {
    return new Builder(image, contextDirectory);
  }

  /** This spec with other cache entries, everything else the same. */
  public BuildSpec withCaches(List<CacheSpec> cacheFrom, List<CacheSpec> cacheTo) {
    return new BuildSpec(
        image,
        contextDirectory,
        dockerfile,
        buildArgs,
        target,
        platform,
        labels,
        secrets,
        cacheFrom,
        cacheTo,
        builder,
        pull,
        noCache,
        failOnCacheExportError,
        reuse);
  }

  /** A builder pre-filled with this spec. */
  public Builder toBuilder() {
    Builder b = new Builder(image, contextDirectory).dockerfile(dockerfile);
    b.buildArgs.putAll(buildArgs);
    b.labels.putAll(labels);
    b.secrets.addAll(secrets);
    b.cacheFrom.addAll(cacheFrom);
    b.cacheTo.addAll(cacheTo);
    return b.target(target)
        .platform(platform)
        .builderName(builder)
        .pull(pull)
        .noCache(noCache)
        .failOnCacheExportError(failOnCacheExportError)
        .reuse(reuse);
  }

  /** Whether neither cache-from nor cache-to is configured (the default local cache applies). */
  public boolean usesDefaultCache() {
    return cacheFrom.isEmpty() && cacheTo.isEmpty();
  }

  /** Fluent builder for {@link BuildSpec}; {@link #build()} validates. */
  public static final class Builder {
    private final String image;
    private final Path contextDirectory;
    private Path dockerfile;
    private final Map<String, String> buildArgs = new LinkedHashMap<>();
    private String target;
    private String platform;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<SecretSpec> secrets = new ArrayList<>();
    private final List<CacheSpec> cacheFrom = new ArrayList<>();
    private final List<CacheSpec> cacheTo = new ArrayList<>();
    private String builder;
    private boolean pull;
    private boolean noCache;
    private boolean failOnCacheExportError;
    private ReuseSpec reuse;

    private Builder(String image, Path contextDirectory) {
      this.image = image;
      this.contextDirectory = contextDirectory;
    }

    /** The Dockerfile; {@code null} means {@code Dockerfile} in the context directory. */
    public Builder dockerfile(Path dockerfile) {
      this.dockerfile = dockerfile;
      return this;
    }

    public Builder buildArg(String name, String value) {
      buildArgs.put(Objects.requireNonNull(name), value);
      return this;
    }

    public Builder buildArgs(Map<String, String> args) {
      if (args != null) {
        args.forEach(this::buildArg);
      }
      return this;
    }

    public Builder target(String target) {
      this.target = target;
      return this;
    }

    public Builder platform(String platform) {
      this.platform = platform;
      return this;
    }

    public Builder label(String name, String value) {
      labels.put(Objects.requireNonNull(name), value);
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      if (labels != null) {
        labels.forEach(this::label);
      }
      return this;
    }

    public Builder secret(SecretSpec secret) {
      secrets.add(Objects.requireNonNull(secret));
      return this;
    }

    public Builder cacheFrom(CacheSpec spec) {
      cacheFrom.add(Objects.requireNonNull(spec));
      return this;
    }

    public Builder cacheTo(CacheSpec spec) {
      cacheTo.add(Objects.requireNonNull(spec));
      return this;
    }

    /** The buildx builder name ({@code --builder}); {@code null} for the current builder. */
    public Builder builderName(String builder) {
      this.builder = builder;
      return this;
    }

    public Builder pull(boolean pull) {
      this.pull = pull;
      return this;
    }

    public Builder noCache(boolean noCache) {
      this.noCache = noCache;
      return this;
    }

    public Builder failOnCacheExportError(boolean fail) {
      this.failOnCacheExportError = fail;
      return this;
    }

    /** Fingerprint-keyed reuse through a registry; {@code null} for none. */
    public Builder reuse(ReuseSpec reuse) {
      this.reuse = reuse;
      return this;
    }

    public BuildSpec build() {
      return new BuildSpec(
          image,
          contextDirectory,
          dockerfile,
          buildArgs,
          target,
          platform,
          labels,
          secrets,
          cacheFrom,
          cacheTo,
          builder,
          pull,
          noCache,
          failOnCacheExportError,
          reuse);
    }
  }
}
