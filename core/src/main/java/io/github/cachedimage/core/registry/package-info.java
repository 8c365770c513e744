/**
 * Registries spoken to directly, without the engine: image references normalised as docker does,
 * credentials from pluggable sources (the docker CLI's config here; the adapters add their own,
 * such as Maven's settings.xml), and a client for the distribution API's manifest questions. Uses
 * only {@code core.base}; knows nothing of Maven or JUnit. Secrets never reach a message, a log or
 * a {@code toString()}.
 */
package io.github.cachedimage.core.registry;
