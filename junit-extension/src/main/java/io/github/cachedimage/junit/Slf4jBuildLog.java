package io.github.cachedimage.junit;

import io.github.cachedimage.core.base.BuildLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The core's log, on SLF4J under the logger {@code io.github.cachedimage.junit.CachedImage}. */
final class Slf4jBuildLog implements BuildLog {
  static final Logger LOG = LoggerFactory.getLogger(CachedImage.class);

  @Override
  public void info(String message) {
    LOG.info(message);
  }

  @Override
  public void warn(String message) {
    LOG.warn(message);
  }

  @Override
  public void debug(String message) {
    LOG.debug(message);
  }

  @Override
  public void progress(String line) {
    if (!line.isBlank()) {
      LOG.info(line);
    }
  }
}
