/**
 * BuildKit's {@code type=gha} cache on GitHub Actions, made loud: {@link
 * io.github.cachedimage.core.gha.GhaPreflight} checks what buildx would otherwise check silently
 * (token, URL, cache service v2, versions, a builder that can export), applies our defaults (scope
 * per image, {@code mode=max}, {@code ignore-error=true}, a bounded {@code timeout}) and says what
 * it dropped and why; {@link io.github.cachedimage.core.gha.GhaStepSummary} writes the job summary;
 * {@link io.github.cachedimage.core.gha.Redaction} keeps tokens out of logs and records.
 */
package io.github.cachedimage.core.gha;
