package io.github.cachedimage.maven;

import io.github.cachedimage.core.BuildOrder;
import io.github.cachedimage.core.spec.BuildSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginExecution;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/**
 * Every {@code build} execution of the reactor, in the order Maven runs them (modules in reactor
 * order, executions in POM order), as {@link BuildOrder} steps; the current one is the spec the
 * mojo was configured with, the others are read from their POM configuration.
 *
 * @param current the index of the running execution, or -1 when it is not in a POM (a goal run from
 *     the command line)
 */
record ReactorBuilds(List<BuildOrder.Step> steps, int current) {
  static final String PLUGIN = "io.github.cachedimage:cached-image-maven-plugin";

  static ReactorBuilds of(
      MavenSession session, MavenProject project, MojoExecution execution, BuildSpec spec) {
    List<BuildOrder.Step> steps = new ArrayList<>();
    int current = -1;
    if (session == null || execution == null) {
      return new ReactorBuilds(steps, current);
    }
    for (MavenProject module : session.getProjects()) {
      Plugin plugin = module.getPlugin(PLUGIN);
      if (plugin == null) {
        continue;
      }
      for (PluginExecution e : plugin.getExecutions()) {
        if (!e.getGoals().contains("build")) {
          continue;
        }
        boolean running =
            module.getId().equals(project.getId()) && e.getId().equals(execution.getExecutionId());
        BuildSpec s = running ? spec : specOf(module, plugin, e);
        if (s == null) {
          continue;
        }
        if (running) {
          current = steps.size();
        }
        steps.add(new BuildOrder.Step(module.getArtifactId(), e.getId(), s));
      }
    }
    return new ReactorBuilds(steps, current);
  }

  /** The spec another execution builds, as far as its POM says; null if it cannot be told. */
  private static BuildSpec specOf(MavenProject module, Plugin plugin, PluginExecution e) {
    try {
      Xpp3Dom own = (Xpp3Dom) e.getConfiguration();
      Xpp3Dom shared = (Xpp3Dom) plugin.getConfiguration();
      Path basedir = module.getBasedir().toPath();
      String image = value(own, shared, "image", module.getArtifactId());
      Path context = basedir.resolve(value(own, shared, "contextDirectory", basedir.toString()));
      String dockerfile = value(own, shared, "dockerfile", null);
      Map<String, String> buildArgs = new LinkedHashMap<>();
      Xpp3Dom args = child(own, shared, "buildArgs");
      if (args != null) {
        for (Xpp3Dom arg : args.getChildren()) {
          buildArgs.put(arg.getName(), arg.getValue() == null ? "" : arg.getValue());
        }
      }
      return BuildSpec.builder(image, context.toAbsolutePath().normalize())
          .dockerfile(dockerfile == null ? null : basedir.resolve(dockerfile).toAbsolutePath())
          .buildArgs(buildArgs)
          .target(value(own, shared, "target", null))
          .build();
    } catch (RuntimeException unresolved) {
      return null; // an expression only Maven can resolve at run time: that build checks itself
    }
  }

  private static String value(Xpp3Dom own, Xpp3Dom shared, String name, String fallback) {
    Xpp3Dom node = child(own, shared, name);
    String value = node == null ? null : node.getValue();
    if (value != null && value.contains("${")) {
      throw new IllegalArgumentException("unresolved " + value);
    }
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static Xpp3Dom child(Xpp3Dom own, Xpp3Dom shared, String name) {
    Xpp3Dom node = own == null ? null : own.getChild(name);
    return node != null ? node : shared == null ? null : shared.getChild(name);
  }
}
