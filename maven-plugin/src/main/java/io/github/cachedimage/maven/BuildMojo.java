package io.github.cachedimage.maven;

import io.github.cachedimage.core.BuildFailedException;
import io.github.cachedimage.core.BuildOrder;
import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.EnsureResult;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.Buildx;
import io.github.cachedimage.core.engine.BuildxUnsupportedException;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerImages;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import io.github.cachedimage.core.gha.GhaCacheUnavailableException;
import io.github.cachedimage.core.record.RecordStore;
import io.github.cachedimage.core.spec.BuildSpec;
import io.github.cachedimage.core.spec.CacheSpec;
import io.github.cachedimage.core.spec.InvalidBuildSpecException;
import io.github.cachedimage.core.spec.InvalidCacheSpecException;
import io.github.cachedimage.core.spec.KeepContentTags;
import io.github.cachedimage.core.spec.ReuseSpec;
import io.github.cachedimage.core.spec.SecretSpec;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.crypto.SettingsDecrypter;

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

  /**
   * A registry repository for fingerprint-keyed reuse, e.g. {@code ghcr.io/acme/greeter}. When the
   * image is not fresh here, the build first asks the registry for {@code
   * <imageRepository>:fp-<key>} (the key covers every input, without paths or machine values) and
   * pulls it if a runner built the same inputs earlier: no buildx at all. Otherwise it builds and
   * pushes that tag (see {@code reusePush}). Credentials: settings.xml {@code <server>} with the
   * registry host as id, then the docker CLI configuration. Default: no reuse.
   */
  @Parameter(property = "cachedimage.imageRepository")
  String imageRepository;

  /**
   * When to push a build under its key for other runners: {@code outside-pull-requests} (the
   * default: not for {@code pull_request} events on GitHub Actions, always elsewhere), {@code
   * always} or {@code never}.
   */
  @Parameter(property = "cachedimage.reusePush", defaultValue = "outside-pull-requests")
  String reusePush;

  /**
   * Fail instead of warning and building when the reuse registry cannot be reached, refuses the
   * credentials, or a pull or push fails.
   */
  @Parameter(property = "cachedimage.reuseStrict", defaultValue = "false")
  boolean reuseStrict;

  /**
   * How many content tags ({@code <image>:fp-<12 hex>}) of the image stay after a build: the
   * newest, the one just built included. Older ones are untagged, never forced (an image another
   * tag names stays), unless a container (running or stopped) uses their image or a record names
   * them: the records in this module's {@code target/cached-image}, and those the reactor root's
   * pointers lead to. {@code all} (or {@code 0}) keeps every content tag.
   */
  @Parameter(property = "cachedimage.keepContentTags", defaultValue = "3")
  String keepContentTags;

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

  @Component SettingsDecrypter decrypter;

  private final Function<DockerEndpoint, DockerImages> images;
  private final Function<DockerEndpoint, Buildx> buildx;

  public BuildMojo() {
    this(MavenDockerImages::new, CliBuildx::new);
  }

  /** For tests: substitutes the engine and buildx. */
  BuildMojo(
      Function<DockerEndpoint, DockerImages> images, Function<DockerEndpoint, Buildx> buildx) {
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
    KeepContentTags keep = keep();
    try {
      ReactorBuilds builds = ReactorBuilds.of(session, project, mojoExecution, spec);
      if (builds.current() >= 0) {
        BuildOrder.check(builds.steps(), builds.current());
      }
    } catch (CachedImageException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
    Path recordDirectory = project.getBasedir().toPath().resolve(RecordStore.DEFAULT_DIRECTORY);
    // One endpoint for the engine questions and for buildx, resolved as the docker CLI does.
    DockerEndpoint endpoint;
    DockerImages engine;
    try {
      endpoint = DockerEndpoints.fromEnvironment();
      getLog().debug("cached-image: Docker engine " + endpoint.describe());
      engine = images.apply(endpoint);
    } catch (DockerUnavailableException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
    try {
      CachedImages cachedImages =
          new CachedImages(new MavenBuildLog(getLog(), quiet), engine, buildx.apply(endpoint))
              .withGhaStrict(ghaStrict)
              .withKeepContentTags(keep);
      if (spec.reuse() != null) { // nothing of registries on the up-to-date path otherwise
        cachedImages = cachedImages.withRegistries(MavenRegistries.of(engine, session, decrypter));
      }
      EnsureResult result = cachedImages.ensure(spec, recordDirectory);
      Properties properties = project.getProperties();
      properties.setProperty("cachedimage." + spec.image() + ".id", result.imageId());
      properties.setProperty("cachedimage." + spec.image() + ".tag", result.contentTag());
      pointFromReactorRoot(spec.image(), recordDirectory);
    } catch (InvalidBuildSpecException e) {
      throw new MojoExecutionException(element(e) + e.getMessage(), e);
    } catch (DockerUnavailableException e) {
      throw new MojoExecutionException(
          e.getMessage()
              + " "
              + HelpfulSuggestions.engineAsked(endpoint.describe(), plainTcp(endpoint)),
          e);
    } catch (BuildxUnsupportedException | BuildFailedException | GhaCacheUnavailableException e) {
      throw new MojoExecutionException(forProject(spec.image(), e.getMessage(), false), e);
    } catch (CachedImageException e) {
      throw new MojoExecutionException(forProject(spec.image(), e.getMessage(), true), e);
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

  private static boolean plainTcp(DockerEndpoint endpoint) {
    return endpoint.host().startsWith("tcp://") && !endpoint.tlsVerify();
  }

  /**
   * Maven prints a failure as {@code ... on project greeter: <message>}: the image's name in front
   * of the message only when it says something the project's name does not.
   */
  private String forProject(String image, String message, boolean nameImage) {
    String prefix = image + ": ";
    boolean named = message.startsWith(prefix);
    if (project != null && image.equals(project.getArtifactId())) {
      return named ? message.substring(prefix.length()) : message;
    }
    return named || !nameImage ? message : prefix + message;
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
      if (imageRepository != null && !imageRepository.isBlank()) {
        b.reuse(new ReuseSpec(imageRepository, reusePush, reuseStrict));
      }
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

  KeepContentTags keep() throws MojoExecutionException {
    try {
      return KeepContentTags.parse(keepContentTags);
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
