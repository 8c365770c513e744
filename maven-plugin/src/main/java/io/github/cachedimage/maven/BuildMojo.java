package io.github.cachedimage.maven;

import io.github.cachedimage.core.BuildFailedException;
import io.github.cachedimage.core.BuildOrder;
import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.BuildxUnsupportedException;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.gha.GhaCacheUnavailableException;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.InvalidCacheSpecException;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Builds the project's Docker image with {@code docker buildx build}, importing and exporting
 * BuildKit's layer cache, unless the image recorded by the previous build is still in the engine
 * and no input changed (then no buildx process runs at all). Records what it built in {@code
 * target/cached-image/<image>.json} and sets the project properties {@code cachedimage.<image>.id}
 * (image ID) and {@code cachedimage.<image>.tag} (the content tag {@code <image>:fp-<fingerprint>})
 * for later plugins.
 *
 * <p>Cache specs take exactly the syntax of {@code docker buildx build --cache-from/--cache-to}.
 * With neither configured, a local cache under {@code ~/.cache/cached-image/<image>} is used
 * (override with {@code -Dcachedimage.cacheDirectory} or {@code CACHED_IMAGE_CACHE_DIR}).
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class BuildMojo extends AbstractMojo {

  /**
   * The image repository name, without tag; it is tagged {@code :fp-<12 hex>} and {@code :latest}.
   */
  @Parameter(property = "cachedimage.image", defaultValue = "${project.artifactId}")
  String image;

  /** The build context directory. */
  @Parameter(property = "cachedimage.contextDirectory", defaultValue = "${project.basedir}")
  File contextDirectory;

  /** The Dockerfile; default {@code Dockerfile} in the context directory. */
  @Parameter(property = "cachedimage.dockerfile")
  File dockerfile;

  /**
   * Build arguments ({@code --build-arg}), e.g. {@code <JAR>target/app.jar</JAR>}. Part of the
   * fingerprint. (No user property: Maven cannot set a map from the command line.)
   */
  @Parameter Map<String, String> buildArgs;

  /** The target stage ({@code --target}). */
  @Parameter(property = "cachedimage.target")
  String target;

  /**
   * The platform ({@code --platform}), one only: the image is loaded into the local engine.
   * Default: the engine's.
   */
  @Parameter(property = "cachedimage.platform")
  String platform;

  /** Image labels ({@code --label}). (No user property: a map.) */
  @Parameter Map<String, String> labels;

  /**
   * Build secrets in {@code --secret} syntax: {@code id=npmrc,src=/home/me/.npmrc}, {@code
   * id=token,env=TOKEN}. Secret values are never read, logged or recorded; only ids enter the
   * fingerprint. On the command line: specs separated by {@code ;}.
   */
  @Parameter(property = "cachedimage.secrets")
  List<String> secrets;

  /**
   * Caches to import ({@code --cache-from}), e.g. {@code
   * <cache>type=registry,ref=localhost:5000/app:cache</cache>}. Types: gha, local, registry,
   * inline, s3, azblob. On the command line: specs separated by {@code ;}, which replace the POM's
   * list.
   */
  @Parameter(property = "cachedimage.cacheFrom")
  List<String> cacheFrom;

  /**
   * Caches to export ({@code --cache-to}), e.g. {@code
   * <cache>type=registry,ref=localhost:5000/app:cache,mode=max</cache>}. On the command line: specs
   * separated by {@code ;}, which replace the POM's list.
   */
  @Parameter(property = "cachedimage.cacheTo")
  List<String> cacheTo;

  /** The buildx builder ({@code --builder}); default the current builder. */
  @Parameter(property = "cachedimage.builder")
  String builder;

  /** Pull newer base images when building ({@code --pull}). */
  @Parameter(property = "cachedimage.pull", defaultValue = "false")
  boolean pull;

  /** Build without BuildKit's cache ({@code --no-cache}) when building. */
  @Parameter(property = "cachedimage.noCache", defaultValue = "false")
  boolean noCache;

  /** Fail the build when a cache export fails (default: a warning). */
  @Parameter(property = "cachedimage.failOnCacheExportError", defaultValue = "false")
  boolean failOnCacheExportError;

  /**
   * Fail the build when a {@code type=gha} cache is configured on GitHub Actions but cannot work
   * (no {@code ACTIONS_RUNTIME_TOKEN} because the {@code crazy-max/ghaction-github-runtime} step is
   * missing, no cache URL, cache service v2 not selected, buildx older than 0.21 or BuildKit older
   * than 0.20, a builder without the gha backend). By default such a cache is dropped with a
   * warning naming what is missing and the fix, and the image is built without it. Off GitHub
   * Actions (no {@code GITHUB_ACTIONS=true} and no token) gha entries are skipped with an info line
   * and this has no effect. Typically set on the CI command line: {@code
   * -Dcachedimage.ghaStrict=true}.
   */
  @Parameter(property = "cachedimage.ghaStrict", defaultValue = "false")
  boolean ghaStrict;

  /** Log buildx progress at DEBUG instead of INFO ({@code mvn -q} hides it too). */
  @Parameter(property = "cachedimage.quiet", defaultValue = "false")
  boolean quiet;

  /** Skip this goal. */
  @Parameter(property = "cachedimage.skip", defaultValue = "false")
  boolean skip;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  MavenSession session;

  @Parameter(defaultValue = "${mojoExecution}", readonly = true)
  MojoExecution mojoExecution;

  private final Supplier<DockerImages> images;
  private final Function<DockerImages, Buildx> buildx;

  public BuildMojo() {
    this(MavenDockerImages::new, images -> new CliBuildx());
  }

  /** For tests: substitutes the engine and buildx. */
  BuildMojo(Supplier<DockerImages> images, Function<DockerImages, Buildx> buildx) {
    this.images = images;
    this.buildx = buildx;
  }

  @Override
  public void execute() throws MojoExecutionException {
    if (skip) {
      getLog().info("cached-image: skipped (cachedimage.skip)");
      return;
    }
    BuildSpec spec = toSpec();
    try {
      ReactorBuilds builds = ReactorBuilds.of(session, project, mojoExecution, spec);
      if (builds.current() >= 0) {
        BuildOrder.check(builds.steps(), builds.current());
      }
    } catch (CachedImageException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
    Path recordDirectory = project.getBasedir().toPath().resolve(RecordStore.DEFAULT_DIRECTORY);
    DockerImages engine = images.get();
    try {
      CachedImages cachedImages =
          new CachedImages(new MavenBuildLog(getLog(), quiet), engine, buildx.apply(engine))
              .withGhaStrict(ghaStrict);
      EnsureResult result = cachedImages.ensure(spec, recordDirectory);
      Properties properties = project.getProperties();
      properties.setProperty("cachedimage." + spec.image() + ".id", result.imageId());
      properties.setProperty("cachedimage." + spec.image() + ".tag", result.contentTag());
      pointFromReactorRoot(spec.image(), recordDirectory);
    } catch (InvalidBuildSpecException e) {
      throw new MojoExecutionException(element(e) + e.getMessage(), e);
    } catch (DockerUnavailableException
        | BuildxUnsupportedException
        | BuildFailedException
        | GhaCacheUnavailableException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    } catch (CachedImageException e) {
      String message = e.getMessage();
      throw new MojoExecutionException(
          message.startsWith(spec.image() + ": ") ? message : spec.image() + ": " + message, e);
    } finally {
      if (engine instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception ignored) {
          // best effort
        }
      }
    }
  }

  /**
   * In a multi-module build, leaves a pointer to this module's record in the reactor root's record
   * directory, so that tests in another module (which hold only {@code @CachedImage}) find it.
   */
  private void pointFromReactorRoot(String image, Path recordDirectory) {
    MavenProject top = session == null ? null : session.getTopLevelProject();
    if (top == null
        || top.getBasedir() == null
        || top.getBasedir().toPath().equals(project.getBasedir().toPath())) {
      return;
    }
    Path rootRecords = top.getBasedir().toPath().resolve(RecordStore.DEFAULT_DIRECTORY);
    try {
      new RecordStore(rootRecords, image).writePointer(recordDirectory);
    } catch (CachedImageException e) {
      getLog().debug(e.getMessage()); // only tests in other modules would have used it
    }
  }

  /** Converts the parameters; every error names the POM element. */
  BuildSpec toSpec() throws MojoExecutionException {
    BuildSpec.Builder b;
    try {
      Path context = contextDirectory.toPath().toAbsolutePath();
      b = BuildSpec.builder(image, context);
      b.dockerfile(dockerfile == null ? null : dockerfile.toPath().toAbsolutePath());
      b.buildArgs(buildArgs).labels(labels).target(target).platform(platform).builderName(builder);
      b.pull(pull).noCache(noCache).failOnCacheExportError(failOnCacheExportError);
    } catch (InvalidBuildSpecException e) {
      throw new MojoExecutionException(element(e) + e.getMessage(), e);
    }
    for (String spec : specs("secrets", secrets)) {
      try {
        b.secret(SecretSpec.parse(spec));
      } catch (InvalidBuildSpecException e) {
        throw new MojoExecutionException(element(e) + e.getMessage(), e);
      }
    }
    for (String spec : specs("cacheFrom", cacheFrom)) {
      b.cacheFrom(parseCache("cacheFrom", spec, true));
    }
    for (String spec : specs("cacheTo", cacheTo)) {
      b.cacheTo(parseCache("cacheTo", spec, false));
    }
    try {
      return b.build();
    } catch (InvalidBuildSpecException e) {
      throw new MojoExecutionException(element(e) + e.getMessage(), e);
    }
  }

  private static CacheSpec parseCache(String element, String spec, boolean importing)
      throws MojoExecutionException {
    try {
      return importing ? CacheSpec.parseImport(spec) : CacheSpec.parseExport(spec);
    } catch (InvalidCacheSpecException e) {
      throw new MojoExecutionException("<" + element + ">: " + e.getMessage(), e);
    }
  }

  /**
   * A list parameter's specs. Given as a user property ({@code -Dcachedimage.cacheTo=...}), the raw
   * string is used, split on {@code ;}: Maven would split it on the commas inside each spec.
   */
  private List<String> specs(String name, List<String> configured) {
    String raw =
        session == null ? null : session.getUserProperties().getProperty("cachedimage." + name);
    List<String> out = new ArrayList<>();
    if (raw != null) {
      for (String part : raw.split(";")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
      return out;
    }
    if (configured != null) {
      for (String s : configured) {
        if (s != null && !s.isBlank()) {
          out.add(s.strip());
        }
      }
    }
    return out;
  }

  /** {@code <dockerfile>: } for the parameter at fault: the spec's components are named as ours. */
  private static String element(InvalidBuildSpecException e) {
    return e.parameter() == null ? "" : "<" + e.parameter() + ">: ";
  }
}
