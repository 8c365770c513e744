package io.github.cachedimage.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The extension behind {@link CachedImage}: assigns annotated fields in {@code beforeAll} (static)
 * and {@code beforeEach} (instance), resolves annotated parameters, stops what it started, and
 * disables tests that asked for it when no engine answers.
 *
 * <p>Images are ensured once per test run: the root store holds one {@link ImageSlot} per request,
 * which runs the core's ensure at most once (the core's file lock covers other JVMs). Only JUnit
 * API present from 5.10 through 6.x is used.
 */
final class CachedImageExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver,
        ExecutionCondition {

  static final Namespace NAMESPACE = Namespace.create(CachedImageExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    List<Field> fields = annotatedFields(testClass, true);
    if (fields.isEmpty()) {
      return;
    }
    Assignments assignments = new Assignments();
    assignAll(context, assignments, fields, null);
    context.getStore(NAMESPACE).put(new StaticFieldsKey(testClass), assignments);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Assignments assignments =
        context
            .getStore(NAMESPACE)
            .remove(new StaticFieldsKey(context.getRequiredTestClass()), Assignments.class);
    if (assignments != null) {
      assignments.close();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Assignments assignments = new Assignments();
    // Enclosing instances too: an outer class's instance fields serve its @Nested tests.
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      assignAll(context, assignments, annotatedFields(instance.getClass(), false), instance);
    }
    if (!assignments.isEmpty()) {
      context.getStore(NAMESPACE).put(InstanceFieldsKey.INSTANCE, assignments);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Assignments assignments =
        context.getStore(NAMESPACE).remove(InstanceFieldsKey.INSTANCE, Assignments.class);
    if (assignments != null) {
      assignments.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.isAnnotated(CachedImage.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    CachedImage annotation = parameterContext.findAnnotation(CachedImage.class).orElseThrow();
    Parameter parameter = parameterContext.getParameter();
    String site = describe(parameterContext);
    Class<?> type = parameter.getType();
    if (type != GenericContainer.class && type != DockerImageName.class) {
      throw new ParameterResolutionException(Messages.wrongType(site, type));
    }
    try {
      ContainerSettings settings = settings(annotation, site);
      EnsuredImage image = ensure(context, annotation, site);
      if (type == DockerImageName.class) {
        return image.imageName();
      }
      GenericContainer<?> container =
          settings.start(image, Messages.at(annotation.value(), site, ""));
      Assignments assignments = new Assignments();
      assignments.add(null, null, container);
      // Stopped when the scope the parameter was resolved in ends (the method, or the class for
      // lifecycle methods and constructors).
      context.getStore(NAMESPACE).put(new Object(), assignments);
      return container;
    } catch (ExtensionConfigurationException e) {
      throw new ParameterResolutionException(e.getMessage(), e.getCause());
    }
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<String> wantsSkip = elementsAskingToSkipWithoutDocker(context).findFirst();
    if (wantsSkip.isEmpty() || docker(context).isReachable()) {
      return ConditionEvaluationResult.enabled("a Docker engine is reachable or not required");
    }
    return ConditionEvaluationResult.disabled(Messages.disabledWithoutDocker(wantsSkip.get()));
  }

  private static Stream<String> elementsAskingToSkipWithoutDocker(ExtensionContext context) {
    Stream<String> fields =
        context.getTestClass().stream()
            .flatMap(
                testClass ->
                    AnnotationSupport.findAnnotatedFields(
                        testClass,
                        CachedImage.class,
                        field -> true,
                        HierarchyTraversalMode.TOP_DOWN)
                        .stream())
            // A class is skipped for its static fields; a method also for the instance fields.
            .filter(f -> context.getTestMethod().isPresent() || Modifier.isStatic(f.getModifiers()))
            .filter(f -> annotationOn(f).disabledWithoutDocker())
            .map(CachedImageExtension::describe);
    Stream<String> parameters =
        context.getTestMethod().stream()
            .flatMap(
                method -> {
                  Parameter[] declared = method.getParameters();
                  return java.util.stream.IntStream.range(0, declared.length)
                      .filter(
                          i ->
                              AnnotationSupport.findAnnotation(declared[i], CachedImage.class)
                                  .map(CachedImage::disabledWithoutDocker)
                                  .orElse(false))
                      .mapToObj(i -> describe(declared[i], i) + " of " + describe(method));
                });
    return Stream.concat(fields, parameters);
  }

  private void assignAll(
      ExtensionContext context, Assignments assignments, List<Field> fields, Object instance) {
    try {
      for (Field field : fields) {
        assign(context, assignments, field, instance);
      }
    } catch (RuntimeException e) {
      try {
        assignments.close();
      } catch (Exception closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  private void assign(
      ExtensionContext context, Assignments assignments, Field field, Object instance) {
    CachedImage annotation = annotationOn(field);
    String site = describe(field);
    Class<?> type = field.getType();
    if (type != GenericContainer.class && type != DockerImageName.class) {
      throw new ExtensionConfigurationException(Messages.wrongType(site, type));
    }
    if (Modifier.isFinal(field.getModifiers())) {
      throw new ExtensionConfigurationException(Messages.finalField(site));
    }
    field.setAccessible(true);
    if (read(field, instance) != null) {
      throw new ExtensionConfigurationException(Messages.alreadyInitialised(site));
    }
    ContainerSettings settings = settings(annotation, site);
    EnsuredImage image = ensure(context, annotation, site);
    if (type == DockerImageName.class) {
      write(field, instance, image.imageName());
      assignments.add(field, instance, null);
      return;
    }
    GenericContainer<?> container =
        settings.start(image, Messages.at(annotation.value(), site, ""));
    assignments.add(field, instance, container);
    write(field, instance, container);
  }

  private static ContainerSettings settings(CachedImage annotation, String site) {
    try {
      return ContainerSettings.of(annotation);
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(
          Messages.at(annotation.value(), site, e.getMessage()));
    }
  }

  private EnsuredImage ensure(ExtensionContext context, CachedImage annotation, String site) {
    ImageRequest request;
    try {
      request = ImageRequest.of(annotation, Locations.discover(context::getConfigurationParameter));
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(
          Messages.at(annotation.value(), site, e.getMessage()));
    }
    ImageSlot slot =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(request, key -> new ImageSlot(), ImageSlot.class);
    DockerAccess docker = docker(context);
    try {
      EnsuredImage image =
          slot.get(() -> new ImageEnsurer(docker, new Slf4jBuildLog()).ensure(request));
      context.publishReportEntry("cachedimage." + request.image(), image.summary());
      return image;
    } catch (ImageUnavailableException e) {
      throw new ExtensionConfigurationException(
          Messages.at(annotation.value(), site, e.getMessage()), e);
    }
  }

  /**
   * The engine access of this test run: Testcontainers' unless a test of this extension put another
   * into the root store first.
   */
  static DockerAccess docker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            DockerAccess.class, key -> DockerAccess.testcontainers(), DockerAccess.class);
  }

  /** Direct or meta-present (on a user's composed annotation), as JUnit finds its own. */
  private static CachedImage annotationOn(Field field) {
    return AnnotationSupport.findAnnotation(field, CachedImage.class).orElseThrow();
  }

  private static List<Field> annotatedFields(Class<?> testClass, boolean statics) {
    return AnnotationSupport.findAnnotatedFields(
        testClass,
        CachedImage.class,
        field -> Modifier.isStatic(field.getModifiers()) == statics,
        HierarchyTraversalMode.TOP_DOWN);
  }

  private static Object read(Field field, Object instance) {
    try {
      return field.get(instance);
    } catch (IllegalAccessException e) {
      throw new ExtensionConfigurationException("cannot read " + describe(field), e);
    }
  }

  private static void write(Field field, Object instance, Object value) {
    try {
      field.set(instance, value);
    } catch (IllegalAccessException e) {
      throw new ExtensionConfigurationException("cannot assign " + describe(field), e);
    }
  }

  static String describe(Field field) {
    return field.getDeclaringClass().getSimpleName() + "." + field.getName();
  }

  private static String describe(java.lang.reflect.Method method) {
    return method.getDeclaringClass().getSimpleName()
        + "."
        + method.getName()
        + Arrays.stream(method.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", ", "(", ")"));
  }

  private static String describe(ParameterContext parameterContext) {
    var executable = parameterContext.getDeclaringExecutable();
    String owner =
        executable instanceof java.lang.reflect.Method method
            ? describe(method)
            : executable.getDeclaringClass().getSimpleName() + " constructor";
    return describe(parameterContext.getParameter(), parameterContext.getIndex()) + " of " + owner;
  }

  /** {@code parameter 'app'} when compiled with {@code -parameters}, else {@code parameter #1}. */
  private static String describe(Parameter parameter, int index) {
    return parameter.isNamePresent()
        ? "parameter '" + parameter.getName() + "'"
        : "parameter #" + (index + 1);
  }

  /** Root store key of one class's static fields. */
  private record StaticFieldsKey(Class<?> testClass) {}

  /** Method store key of the instance fields. */
  private enum InstanceFieldsKey {
    INSTANCE
  }

  /**
   * One test run's ensure of one request: at most once, however many classes and threads ask.
   * Failures are kept too, so that a failing build fails every test that needs it without being
   * retried for each.
   */
  static final class ImageSlot {
    private EnsuredImage image;
    private ImageUnavailableException failure;

    synchronized EnsuredImage get(Supplier<EnsuredImage> ensure) {
      if (image == null && failure == null) {
        try {
          image = ensure.get();
        } catch (ImageUnavailableException e) {
          failure = e;
        }
      }
      if (failure != null) {
        throw failure;
      }
      return image;
    }
  }

  /**
   * What the extension assigned and started in one scope; closing stops the containers (last
   * started first) and sets the fields back to {@code null}. Implements both of JUnit's closing
   * contracts: {@code CloseableResource} (JUnit before 5.13) and {@code AutoCloseable} (5.13 on);
   * closing twice is harmless.
   */
  @SuppressWarnings("deprecation")
  static final class Assignments
      implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    private record Assignment(Field field, Object instance, GenericContainer<?> container) {}

    private final List<Assignment> assignments = new ArrayList<>();

    synchronized void add(Field field, Object instance, GenericContainer<?> container) {
      assignments.add(new Assignment(field, instance, container));
    }

    synchronized boolean isEmpty() {
      return assignments.isEmpty();
    }

    @Override
    public synchronized void close() {
      RuntimeException failure = null;
      for (int i = assignments.size() - 1; i >= 0; i--) {
        Assignment assignment = assignments.get(i);
        try {
          if (assignment.container() != null) {
            assignment.container().stop();
          }
          if (assignment.field() != null) {
            write(assignment.field(), assignment.instance(), null);
          }
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      assignments.clear();
      if (failure != null) {
        throw failure;
      }
    }
  }
}
