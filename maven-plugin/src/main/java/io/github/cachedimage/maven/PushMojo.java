package io.github.cachedimage.maven;

import io.github.cachedimage.core.CachedImages;
import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.base.HelpfulSuggestions;
import io.github.cachedimage.core.engine.CliBuildx;
import io.github.cachedimage.core.engine.DockerEndpoint;
import io.github.cachedimage.core.engine.DockerEndpoints;
import io.github.cachedimage.core.engine.DockerUnavailableException;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Pushes the image the build goal recorded (the image the tests ran) to a registry, refusing when
 * the record is stale: an input changed since, or the image is gone from the engine. Single
 * platform, as tested; multi-platform publishing belongs to {@code docker buildx bake} or {@code
 * docker/build-push-action}. Writes what was pushed to {@code
 * target/cached-image/<image>.pushed.json}. Credentials: the settings.xml {@code <server>} whose id
 * is the registry host, then the docker CLI configuration.
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PushMojo extends AbstractMojo {

  /** The recorded image to push (the build goal's {@code image}). */
  @Parameter(property = "cachedimage.image", defaultValue = "${project.artifactId}")
  String image;

  /**
   * Where to push: a registry repository such as {@code ghcr.io/acme/greeter}. Default: the build
   * goal's {@code imageRepository} property ({@code cachedimage.imageRepository}).
   */
  @Parameter(
      property = "cachedimage.pushRepository",
      defaultValue = "${cachedimage.imageRepository}")
  String pushRepository;

  /**
   * Tags to push: a plain tag ({@code 1.2.0}, {@code ${project.version}}, {@code
   * ${git.commit.id.abbrev}} when a plugin sets that property) goes to {@code pushRepository}; a
   * full reference ({@code ghcr.io/acme/greeter:stable}) is pushed as it is. User property: tags
   * separated by {@code ,}. Default: the project's version.
   */
  @Parameter(property = "cachedimage.pushTags", defaultValue = "${project.version}")
  List<String> pushTags;

  /** Skip this goal. */
  @Parameter(property = "cachedimage.skipPush", defaultValue = "false")
  boolean skipPush;

  /** The directory holding the build goal's record. */
  @Parameter(
      property = "cachedimage.recordDirectory",
      defaultValue = "${project.build.directory}/cached-image")
  File recordDirectory;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  MavenSession session;

  @Component SettingsDecrypter decrypter;

  @Override
  public void execute() throws MojoExecutionException {
    if (skipPush) {
      getLog().info("cached-image: push skipped (cachedimage.skipPush)");
      return;
    }
    List<String> tags = tags();
    String repository =
        pushRepository == null || pushRepository.isBlank() || pushRepository.contains("${")
            ? null
            : pushRepository.strip();
    DockerEndpoint endpoint;
    MavenDockerImages engine;
    try {
      endpoint = DockerEndpoints.fromEnvironment();
      engine = new MavenDockerImages(endpoint);
    } catch (DockerUnavailableException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
    try {
      CachedImages images =
          new CachedImages(new MavenBuildLog(getLog(), false), engine, new CliBuildx(endpoint))
              .withRegistries(MavenRegistries.of(engine, session, decrypter));
      Map<String, String> pushed = images.push(image, recordDirectory.toPath(), tags, repository);
      getLog().debug("cached-image: pushed " + pushed);
    } catch (DockerUnavailableException e) {
      throw new MojoExecutionException(
          e.getMessage() + " " + HelpfulSuggestions.engineAsked(endpoint.describe(), false), e);
    } catch (CachedImageException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    } finally {
      engine.close();
    }
  }

  /** The configured tags, each checked for a property Maven could not resolve. */
  List<String> tags() throws MojoExecutionException {
    List<String> out = new ArrayList<>();
    for (String tag : pushTags == null ? List.<String>of() : pushTags) {
      if (tag == null || tag.isBlank()) {
        continue;
      }
      if (tag.contains("${")) {
        throw new MojoExecutionException(
            "<pushTags>: '"
                + tag.strip()
                + "' holds a property Maven could not resolve. Define it (e.g. with"
                + " git-commit-id-maven-plugin for ${git.commit.id}) or remove that tag.");
      }
      out.add(tag.strip());
    }
    if (out.isEmpty()) {
      throw new MojoExecutionException("<pushTags>: no tag to push; list at least one");
    }
    return out;
  }
}
