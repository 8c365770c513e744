package io.github.cachedimage.core;

import io.github.cachedimage.core.base.CachedImageException;
import io.github.cachedimage.core.dockerfile.BaseImages;
import io.github.cachedimage.core.spec.BuildSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the builds of a run come in an order that works: a build whose Dockerfile names an image
 * that another build of the run makes must come after it, and no images may build on each other in
 * a cycle. The Maven plugin gives every build execution of the reactor, in the order Maven runs
 * them; an order that does not work fails before anything is built, with both builds named.
 */
public final class BuildOrder {

  /**
   * One build of the run.
   *
   * @param module the module it belongs to (its artifactId)
   * @param execution the execution's id
   * @param spec what it builds
   */
  public record Step(String module, String execution, BuildSpec spec) {
    String label() {
      return "execution '" + execution + "' of module " + module;
    }
  }

  private BuildOrder() {}

  /**
   * @param steps every build of the run, in the order they run
   * @param current the index of the one about to run
   * @throws CachedImageException naming the builds and the fix, when the order cannot work
   */
  public static void check(List<Step> steps, int current) {
    if (steps.size() < 2) {
      return; // nothing to order: no Dockerfile is read (a one-image build pays nothing)
    }
    List<List<Integer>> upstreams = new ArrayList<>();
    for (Step step : steps) {
      upstreams.add(upstreams(step, steps));
    }
    List<Integer> path = new ArrayList<>();
    cycle(current, upstreams, path, steps);
    Step me = steps.get(current);
    for (int up : upstreams.get(current)) {
      if (up > current) {
        Step later = steps.get(up);
        throw new CachedImageException(
            me.spec().image()
                + ": its Dockerfile builds on "
                + later.spec().image()
                + ", which "
                + later.label()
                + " builds after "
                + me.label()
                + ". Fix: "
                + (later.module().equals(me.module())
                    ? "put execution '"
                        + later.execution()
                        + "' before '"
                        + me.execution()
                        + "' in the POM (executions bound to one phase run in POM order)"
                    : "make module "
                        + me.module()
                        + " depend on module "
                        + later.module()
                        + ", so that Maven builds it first"));
      }
    }
  }

  private static void cycle(
      int at, List<List<Integer>> upstreams, List<Integer> path, List<Step> steps) {
    if (path.contains(at)) {
      List<String> names = new ArrayList<>();
      for (int i = path.indexOf(at); i < path.size(); i++) {
        names.add(
            steps.get(path.get(i)).spec().image() + " (" + steps.get(path.get(i)).label() + ")");
      }
      names.add(steps.get(at).spec().image());
      throw new CachedImageException(
          "images build on each other in a cycle: "
              + String.join(" -> ", names)
              + ". Fix: change the FROM (or COPY --from) lines so that no image builds on itself");
    }
    path.add(at);
    for (int up : upstreams.get(at)) {
      cycle(up, upstreams, path, steps);
    }
    path.remove(path.size() - 1);
  }

  /** The steps that build an image this step's Dockerfile names. */
  private static List<Integer> upstreams(Step step, List<Step> steps) {
    List<Integer> out = new ArrayList<>();
    String text;
    try {
      text = Files.readString(step.spec().dockerfile());
    } catch (IOException e) {
      return out; // the build itself says what is wrong with its Dockerfile
    }
    for (String ref : BaseImages.of(text, step.spec().buildArgs(), step.spec().target())) {
      String repository = UpstreamImages.repository(ref);
      for (int i = 0; i < steps.size(); i++) {
        if (steps.get(i) != step && steps.get(i).spec().image().equals(repository)) {
          out.add(i);
        }
      }
    }
    return out;
  }
}
