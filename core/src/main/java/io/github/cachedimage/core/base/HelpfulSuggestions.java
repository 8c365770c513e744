package io.github.cachedimage.core.base;

/** Every hint that tells users what to do, in one place. */
public final class HelpfulSuggestions {

  private HelpfulSuggestions() {}

  public static String dockerUnavailable(String detail) {
    return "Cannot reach a Docker engine"
        + (detail == null || detail.isBlank() ? "" : " (" + detail + ")")
        + ". Start Docker, or point DOCKER_HOST at a running engine; 'docker info' must work.";
  }

  /** Which engine was asked, after an engine error; a plain {@code tcp://} may need TLS. */
  public static String engineAsked(String endpoint, boolean plainTcp) {
    return "Engine asked: "
        + endpoint
        + (plainTcp
            ? "; if it listens with TLS (port 2376), set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH"
                + " to the directory with ca.pem, cert.pem and key.pem."
            : ".");
  }

  /** For an {@code ssh://} engine: the CLI speaks it, the engine API clients do not. */
  public static String sshEndpoint(String endpoint) {
    return "The Docker engine is reached over ssh ("
        + endpoint
        + "), which only the docker CLI speaks. Forward the engine's socket and point DOCKER_HOST"
        + " at it: 'ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock USER@HOST &' then"
        + " DOCKER_HOST=unix:///tmp/docker.sock.";
  }

  /** An engine that cannot run BuildKit builds for the docker CLI's buildx. */
  public static String podmanEngine(String engine) {
    return "The engine at "
        + engine
        + " is Podman's Docker-compatible service, which does not run docker buildx builds."
        + " Use Docker Engine (or Docker Desktop, Colima, Rancher Desktop with dockerd, OrbStack),"
        + " or a buildx builder with the docker-container driver on a Docker engine.";
  }

  public static String engineTooOld(String engine, String version, int minimum) {
    return "Docker engine "
        + version
        + " at "
        + engine
        + " is older than "
        + minimum
        + ".0, the oldest cached-image supports (its BuildKit cannot export the caches or load the"
        + " image reliably). Upgrade Docker.";
  }

  public static String dockerCliMissing(String command, Exception cause) {
    return "Cannot run '"
        + command
        + "' ("
        + cause.getMessage()
        + "). Install the Docker CLI with the buildx plugin "
        + BuildxVersion.MINIMUM
        + " or newer and put 'docker' on the PATH.";
  }

  public static String buildxMissing(String detail) {
    return "docker buildx is not available ("
        + detail
        + "). Install the buildx plugin "
        + BuildxVersion.MINIMUM
        + " or newer: https://github.com/docker/buildx#installing";
  }

  public static String buildxTooOld(String version) {
    return "docker buildx "
        + version
        + " is older than "
        + BuildxVersion.MINIMUM
        + ", the oldest version cached-image supports. Upgrade the buildx plugin:"
        + " https://github.com/docker/buildx#installing";
  }

  public static String builderUnusable(String builder, String detail) {
    return "buildx builder '"
        + (builder == null ? "(current)" : builder)
        + "' is not usable ("
        + detail
        + "). Check 'docker buildx ls', or set <builder> to an existing builder.";
  }

  public static String cannotExportCache(String builder, String cacheType) {
    return "buildx builder '"
        + builder
        + "' uses the docker driver without the containerd image store, which cannot export"
        + " cache type="
        + cacheType
        + ". Fix: enable the containerd image store ({\"features\": {\"containerd-snapshotter\":"
        + " true}} in /etc/docker/daemon.json and restart dockerd; Docker Desktop: Settings >"
        + " General > Use containerd for pulling and storing images), or use a builder with the"
        + " docker-container driver: 'docker buildx create --name cached-image --driver"
        + " docker-container' and <builder>cached-image</builder>.";
  }

  public static String defaultCacheUnavailable(String builder) {
    return "default local cache off: buildx builder '"
        + builder
        + "' uses the docker driver without the containerd image store, which cannot export"
        + " cache (enable the containerd image store, or configure <cacheTo>/<cacheFrom> with"
        + " type=inline, to keep layers between runs)";
  }

  public static String baseOnlyInEngine(String image, String base, String builder, String driver) {
    return image
        + ": its Dockerfile builds on "
        + base
        + ", which exists only in the Docker engine (cached-image built it and loaded it there),"
        + " but buildx builder '"
        + builder
        + "' uses the "
        + driver
        + " driver, which cannot see the engine's images. Fix: build with the docker driver and"
        + " the containerd image store (<builder>default</builder>, or 'docker buildx use"
        + " default'), or push "
        + base
        + " to a registry and name it there in the FROM line.";
  }

  /**
   * The record directory (or its disk) takes no writes. The previous record, if any, is as it was.
   *
   * @param cause the file system's words, e.g. {@code Read-only file system}
   */
  public static String recordDirectoryUnwritable(
      String image, java.nio.file.Path directory, String cause) {
    return image
        + ": cannot write the build record in "
        + directory
        + " ("
        + cause
        + "). Make that directory writable and free space on its disk (the build goal keeps"
        + " records in target/cached-image; the JUnit extension reads -Dcachedimage.recordDirectory"
        + " if set). The previous record, if any, is unchanged.";
  }

  /**
   * The default local cache's directory (or its disk) takes no writes: the build goes on without
   * exporting it.
   */
  public static String defaultCacheUnwritable(java.nio.file.Path directory, String cause) {
    return "default local cache not exported: cannot write "
        + directory
        + " ("
        + cause
        + "). Free space there or make it writable, or point -Dcachedimage.cacheDirectory (or"
        + " CACHED_IMAGE_CACHE_DIR) at a writable directory.";
  }

  /** The file system's words for an I/O failure: the reason, without the exception's class. */
  public static String ioCause(java.io.IOException e) {
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return String.valueOf(e.getMessage());
  }

  public static String dockerfileMissing(java.nio.file.Path dockerfile) {
    return "Dockerfile not found: "
        + dockerfile
        + " (set <dockerfile> or put a Dockerfile in the context directory)";
  }

  public static String contextMissing(java.nio.file.Path context) {
    return "context directory not found: " + context + " (set <contextDirectory>)";
  }

  /** A context directory that names a file. */
  public static String contextNotADirectory(java.nio.file.Path context) {
    return "context directory "
        + context
        + " is a file, not a directory (set <contextDirectory> to the directory the Dockerfile's"
        + " COPY paths are relative to, and <dockerfile> to the file)";
  }

  /** A {@code COPY --from=<name>} whose name is no stage, so BuildKit looked for an image. */
  public static String notAStage(
      String name, java.nio.file.Path dockerfile, java.util.List<String> stages) {
    return "hint: COPY --from="
        + name
        + " names no stage of "
        + dockerfile
        + (stages == null || stages.isEmpty()
            ? ""
            : " (its stages are " + String.join(", ", stages) + ")")
        + ", so BuildKit looked for an image docker.io/library/"
        + name
        + "; if you meant a stage, fix the name or name the stage with FROM <image> AS "
        + name;
  }

  /** A build secret whose {@code src=} file is not there. */
  public static String secretFileMissing(String id, java.nio.file.Path file) {
    return "secret '"
        + id
        + "': no file "
        + file
        + " (its src=); create it before the build, or fix src= in <secrets>";
  }

  /** A {@code --target} the Dockerfile has no stage of. */
  public static String unknownTarget(
      String target, java.nio.file.Path dockerfile, java.util.List<String> stages) {
    return "target stage '"
        + target
        + "' is not in "
        + dockerfile
        + (stages.isEmpty()
            ? ", which names no stage (name one with FROM <image> AS " + target + ")"
            : "; its stages are " + String.join(", ", stages) + ". Set <target> to one of them");
  }

  public static String unreadableContextFile(java.nio.file.Path file, String reason) {
    return "cannot read context file "
        + file
        + " ("
        + reason
        + "); fix its permissions or exclude it in .dockerignore";
  }

  /** A {@code .dockerignore} pattern that BuildKit would reject. */
  public static String badIgnorePattern(
      java.nio.file.Path file, int line, String pattern, String reason) {
    return file
        + " line "
        + line
        + ": '"
        + pattern
        + "' is not a valid pattern ("
        + reason
        + "); fix or remove it (docker build fails on it with 'syntax error in pattern')";
  }

  /** A registry that wants credentials none of the sources (named in {@code tried}) has. */
  public static String noRegistryCredentials(String registry, String tried) {
    return "no credentials for "
        + registry
        + ": add a <server> with id "
        + registry
        + " to settings.xml or run docker login (tried: "
        + tried
        + ")";
  }

  /** A registry that refused the credentials it was given ({@code used} says whose). */
  public static String registryRefused(String registry, String repository, String used) {
    return "registry "
        + registry
        + " refused access to "
        + repository
        + " with "
        + used
        + ": check the user name and password or token (a token needs pull access to the"
        + " repository, push access to publish) and that the repository exists";
  }

  /** buildx failed and the engine no longer answers: it stopped (or restarted) mid-build. */
  public static String engineLostDuringBuild(String image, String buildxError) {
    return image
        + ": the Docker engine stopped answering during the build"
        + (buildxError == null ? "" : " (buildx: " + buildxError + ")")
        + "; nothing was recorded. Start Docker ('docker info' must work) and build again.";
  }

  /**
   * The one warning after a build failed on a broken BuildKit cache record and the tool removed it
   * ({@code done}: the command) and built again.
   */
  public static String brokenBuildCacheRecovered(String image, String snapshot, String done) {
    return image
        + ": BuildKit's build cache held a record whose snapshot is gone (snapshot "
        + (snapshot == null ? "?" : snapshot)
        + " does not exist; left by a build stopped while it committed a layer, e.g. a killed"
        + " build). Removed it ("
        + done
        + ") and built again.";
  }

  /** When building again after removing the broken record failed the same way. */
  public static String brokenBuildCacheStays(String builder) {
    return " BuildKit's build cache is still broken after removing that record: run 'docker"
        + " buildx prune --all"
        + (builder == null ? "" : " --builder " + builder)
        + "' (or 'docker builder prune -a') and build again.";
  }

  /** {@code sha256:} and the first 12 hex digits. */
  public static String shortId(String id) {
    if (id == null) {
      return "(none)";
    }
    int colon = id.indexOf(':');
    int end = Math.min(id.length(), colon + 1 + 12);
    return id.substring(0, end);
  }

  /** Pruning superseded content tags failed; the build stands. */
  public static String contentTagsNotPruned(String why) {
    return "could not remove superseded content tags ("
        + why
        + "); they stay, and the next build tries again (keepContentTags=all stops pruning)";
  }

  /**
   * A build arg whose name says it is a secret: its value is on the buildx command line, in the
   * image's history and in the build record. Names the arg, never the value.
   */
  public static String secretLookingBuildArg(String name) {
    String id = name.toLowerCase(java.util.Locale.ROOT);
    return "build arg "
        + name
        + " looks like a secret: a build arg's value is visible on the buildx command line, in the"
        + " image's history and in the build record. Pass it as a build secret instead:"
        + " <secrets><secret>id="
        + id
        + ",env="
        + name
        + "</secret></secrets>, read in the Dockerfile with RUN --mount=type=secret,id="
        + id
        + " (the file /run/secrets/"
        + id
        + "); see secrets in docs/build-goal.md";
  }

  /** A cache nothing was exported to yet: nothing to import, which is no fault. */
  public static String cacheEmptyYet(String cache) {
    return "cache "
        + cache
        + " has nothing to import yet (no build exported to it); building without it";
  }

  /**
   * A cache the previous build exported to came back empty: evicted, deleted, or written elsewhere.
   */
  public static String cacheGoneSinceExport(String cache) {
    return "the previous build exported to cache "
        + cache
        + " but it has nothing to import now (evicted, deleted, or another cache-to ref?)";
  }
}
