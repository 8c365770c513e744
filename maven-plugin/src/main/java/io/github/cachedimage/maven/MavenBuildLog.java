package io.github.cachedimage.maven;

import io.github.cachedimage.core.base.BuildLog;
import org.apache.maven.plugin.logging.Log;

/** {@link BuildLog} on Maven's log; build progress at INFO, or DEBUG when quiet. */
final class MavenBuildLog implements BuildLog {
  private final Log log;
  private final boolean quiet;

  MavenBuildLog(Log log, boolean quiet) {
    this.log = log;
    this.quiet = quiet;
  }

  @Override
  public void info(String message) {
    log.info(message);
  }

  @Override
  public void warn(String message) {
    log.warn(message);
  }

  @Override
  public void debug(String message) {
    log.debug(message);
  }

  @Override
  public void progress(String line) {
    if (quiet) {
      log.debug(line);
    } else {
      log.info(line);
    }
  }
}
