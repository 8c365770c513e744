package io.github.cachedimage.core;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** The package rules written down in docs/development.md ("Core's packages"), enforced. */
class PackageRulesTest {
  private static final String CORE = "io.github.cachedimage.core";
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(CORE);

  /** Each concern may use only the rooms below it; nothing uses the entry point. */
  static final ArchRule LAYERS =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("entry point")
          .definedBy(CORE)
          .layer("gha")
          .definedBy(CORE + ".gha..")
          .layer("record")
          .definedBy(CORE + ".record..")
          .layer("engine")
          .definedBy(CORE + ".engine..")
          .layer("registry")
          .definedBy(CORE + ".registry..")
          .layer("fingerprint")
          .definedBy(CORE + ".fingerprint..")
          .layer("spec")
          .definedBy(CORE + ".spec..")
          .layer("dockerfile")
          .definedBy(CORE + ".dockerfile..")
          .layer("base")
          .definedBy(CORE + ".base..")
          .whereLayer("entry point")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("gha")
          .mayOnlyBeAccessedByLayers("entry point")
          .whereLayer("record")
          .mayOnlyBeAccessedByLayers("entry point", "gha")
          .whereLayer("engine")
          .mayOnlyBeAccessedByLayers("entry point", "gha")
          .whereLayer("registry")
          .mayOnlyBeAccessedByLayers("entry point", "gha", "record", "engine")
          .whereLayer("fingerprint")
          .mayOnlyBeAccessedByLayers("entry point", "record")
          .whereLayer("spec")
          .mayOnlyBeAccessedByLayers("entry point", "gha", "record", "engine", "fingerprint")
          .whereLayer("dockerfile")
          .mayOnlyBeAccessedByLayers("entry point")
          .whereLayer("base")
          .mayOnlyBeAccessedByLayers(
              "entry point",
              "gha",
              "record",
              "engine",
              "registry",
              "fingerprint",
              "spec",
              "dockerfile");

  @Test
  void eachConcernUsesOnlyTheRoomsBelowIt() {
    LAYERS.check(MAIN);
  }

  @Test
  void noPackageCycles() {
    slices().matching(CORE + ".(**)").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theRulesCanFail() {
    // a rule that the real code breaks must report it: the importer sees our classes
    ArchRule inverted =
        layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("entry point")
            .definedBy(CORE)
            .layer("record")
            .definedBy(CORE + ".record..")
            .whereLayer("record")
            .mayNotBeAccessedByAnyLayer();
    EvaluationResult result = inverted.evaluate(MAIN);
    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().toString()).contains("RecordStore");
  }
}
