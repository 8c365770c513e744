package io.github.cachedimage.it.support;

import io.github.cachedimage.core.base.BuildLog;
import java.util.List;

/** A {@link BuildLog} that adds each line to a list as {@code LEVEL message}, for assertions. */
public final class RecordingLog implements BuildLog {
  private final List<String> lines;

  public RecordingLog(List<String> lines) {
    this.lines = lines;
  }

  @Override
  public void info(String message) {
    lines.add("INFO " + message);
  }

  @Override
  public void warn(String message) {
    lines.add("WARN " + message);
  }

  @Override
  public void debug(String message) {
    lines.add("DEBUG " + message);
  }

  @Override
  public void progress(String line) {
    lines.add("PROGRESS " + line);
  }
}
