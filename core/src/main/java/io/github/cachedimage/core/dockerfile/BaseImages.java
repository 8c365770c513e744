package io.github.cachedimage.core.dockerfile;

import io.github.cachedimage.core.dockerfile.Instructions.Instruction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The images a Dockerfile's target stage needs from outside the file: {@code FROM}, {@code COPY
 * --from=<image>} and {@code RUN --mount=from=<image>} of the target stage and the stages it
 * depends on, after {@code ARG} substitution with the build args, as BuildKit resolves them. Stage
 * names, stage indexes and {@code scratch} are not images; stages the target does not reach are not
 * built, so their images do not count.
 *
 * <pre>{@code
 * List<String> bases = BaseImages.of(Files.readString(dockerfile), spec.buildArgs(), spec.target());
 * }</pre>
 */
public final class BaseImages {

  private record Stage(int index, String name, String base, List<String> references) {}

  private static final java.util.regex.Pattern SYNTAX =
      java.util.regex.Pattern.compile(
          "\\A(?:[ \\t]*#[^\\n]*\\n)*?[ \\t]*#[ \\t]*syntax[ \\t]*=[ \\t]*(\\S+)",
          java.util.regex.Pattern.CASE_INSENSITIVE);

  private BaseImages() {}

  /**
   * @param dockerfile the Dockerfile's text
   * @param buildArgs {@code --build-arg}s, overriding {@code ARG} defaults
   * @param target the target stage, or {@code null} for the last one
   * @return the image references as written (after substitution), in order of first use
   */
  public static List<String> of(String dockerfile, Map<String, String> buildArgs, String target) {
    List<Stage> stages = stages(Instructions.parse(dockerfile), buildArgs);
    if (stages.isEmpty()) {
      return List.of();
    }
    Stage start = stages.get(stages.size() - 1);
    if (target != null) {
      Stage named = byName(stages, target);
      start = named != null ? named : start; // buildx reports an unknown target itself
    }
    Set<String> images = new LinkedHashSet<>();
    visit(start, stages, images, new boolean[stages.size()]);
    return List.copyOf(images);
  }

  /**
   * The stage names a {@code --target} may name, in order (lower case, as BuildKit compares them),
   * or {@code null} when a {@code # syntax=} directive names a frontend other than Docker's
   * Dockerfile frontend, whose stages this parser cannot know.
   */
  public static List<String> stageNames(String dockerfile) {
    java.util.regex.Matcher syntax = SYNTAX.matcher(dockerfile);
    if (syntax.find() && !syntax.group(1).contains("docker/dockerfile")) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (Stage stage : stages(Instructions.parse(dockerfile), Map.of())) {
      if (stage.name() != null) {
        names.add(stage.name());
      }
    }
    return names;
  }

  /**
   * The images named by {@code COPY --from} or {@code RUN --mount=from=} that are no stage of the
   * file: a misspelt stage name is one, and BuildKit looks it up as an image ({@code
   * docker.io/library/<name>}).
   */
  public static List<String> copiedFromImages(String dockerfile, Map<String, String> buildArgs) {
    List<Stage> stages = stages(Instructions.parse(dockerfile), buildArgs);
    Set<String> images = new LinkedHashSet<>();
    for (Stage stage : stages) {
      for (String ref : stage.references()) {
        if (resolve(ref, stages, stage.index()) == null
            && !ref.isEmpty()
            && !ref.equalsIgnoreCase("scratch")) {
          images.add(ref);
        }
      }
    }
    return List.copyOf(images);
  }

  private static void visit(Stage stage, List<Stage> stages, Set<String> images, boolean[] seen) {
    if (seen[stage.index()]) {
      return;
    }
    seen[stage.index()] = true;
    List<String> refs = new ArrayList<>();
    refs.add(stage.base());
    refs.addAll(stage.references());
    for (String ref : refs) {
      Stage dependency = resolve(ref, stages, stage.index());
      if (dependency != null) {
        visit(dependency, stages, images, seen);
      } else if (!ref.isEmpty() && !ref.equalsIgnoreCase("scratch")) {
        images.add(ref);
      }
    }
  }

  /** The earlier stage a reference names (by name or index), or {@code null} for an image. */
  private static Stage resolve(String ref, List<Stage> stages, int before) {
    Stage named = byName(stages.subList(0, before), ref);
    if (named != null) {
      return named;
    }
    if (!ref.isEmpty() && ref.length() < 6 && digits(ref)) {
      int index = Integer.parseInt(ref);
      return index < before ? stages.get(index) : null;
    }
    return null;
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static Stage byName(List<Stage> stages, String name) {
    for (Stage s : stages) {
      if (s.name() != null && s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    return null;
  }

  private static List<Stage> stages(List<Instruction> instructions, Map<String, String> buildArgs) {
    Map<String, String> global = new HashMap<>(); // ARGs before the first FROM
    List<Stage> stages = new ArrayList<>();
    Map<String, String> scope = null; // the current stage's ARGs
    List<String> references = null;
    for (Instruction in : instructions) {
      String keyword = in.keyword();
      if (keyword.equals("ARG")) {
        declare(in.arguments(), scope == null ? global : scope, global, buildArgs, scope == null);
      } else if (keyword.equals("FROM")) {
        List<String> words = Words.split(in.arguments());
        List<String> plain = new ArrayList<>();
        for (String w : words) {
          if (!w.startsWith("--")) {
            plain.add(w);
          }
        }
        String base = plain.isEmpty() ? "" : Words.substitute(Words.unquote(plain.get(0)), global);
        String name =
            plain.size() >= 3 && plain.get(1).equalsIgnoreCase("AS")
                ? plain.get(2).toLowerCase(Locale.ROOT)
                : null;
        references = new ArrayList<>();
        stages.add(new Stage(stages.size(), name, base, references));
        scope = new HashMap<>();
      } else if (references != null && (keyword.equals("COPY") || keyword.equals("ADD"))) {
        for (String flag : Words.flags(in.arguments())) {
          if (flag.regionMatches(true, 0, "--from=", 0, 7)) {
            references.add(Words.substitute(flag.substring(7), scope));
          }
        }
      } else if (references != null && keyword.equals("RUN")) {
        for (String flag : Words.flags(in.arguments())) {
          if (flag.regionMatches(true, 0, "--mount=", 0, 8)) {
            String from = Words.csvValue(flag.substring(8), "from");
            if (from != null) {
              references.add(Words.substitute(from, scope));
            }
          }
        }
      }
    }
    return stages;
  }

  /**
   * {@code ARG NAME[=default] ...}: the value is the build arg if given, else the default, else
   * (inside a stage) the global default of an ARG of that name declared before the first FROM.
   */
  private static void declare(
      String arguments,
      Map<String, String> into,
      Map<String, String> global,
      Map<String, String> buildArgs,
      boolean isGlobal) {
    for (String word : Words.split(arguments)) {
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      String value;
      if (buildArgs.containsKey(name)) {
        value = buildArgs.get(name);
      } else if (eq >= 0) {
        value = Words.substitute(Words.unquote(word.substring(eq + 1)), into);
      } else {
        value = isGlobal ? null : global.get(name);
      }
      if (value != null) {
        into.put(name, value);
      }
    }
  }
}
