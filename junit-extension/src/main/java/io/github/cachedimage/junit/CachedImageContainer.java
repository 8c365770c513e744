package io.github.cachedimage.junit;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.RemoteDockerImage;

/**
 * The container the extension creates: a plain {@link GenericContainer} that keeps the log and exit
 * status of a failed start. Testcontainers (1.21 and 2.0 alike) stops and removes a container whose
 * start failed before throwing, which would take the log with it; {@link #stop()} is that moment.
 */
final class CachedImageContainer extends GenericContainer<CachedImageContainer> {
  private volatile boolean starting;
  private volatile String failedLog;
  private volatile String failedState;

  CachedImageContainer(RemoteDockerImage image) {
    super(image);
  }

  @Override
  public void start() {
    starting = true;
    try {
      super.start();
    } finally {
      starting = false;
    }
  }

  @Override
  public void stop() {
    if (starting && getContainerId() != null && failedLog == null) {
      captureFailure();
    }
    super.stop();
  }

  private void captureFailure() {
    try {
      failedLog = getLogs();
    } catch (RuntimeException e) {
      failedLog = "";
      failedState = "log unavailable: " + e.getMessage();
      return;
    }
    try {
      InspectContainerResponse.ContainerState state =
          getDockerClient().inspectContainerCmd(getContainerId()).exec().getState();
      if (Boolean.FALSE.equals(state.getRunning()) && state.getExitCodeLong() != null) {
        failedState = "exited with code " + state.getExitCodeLong();
      }
    } catch (RuntimeException e) {
      // the log is what matters
    }
  }

  /** Log lines of a start that failed, if one did and the log could be read. */
  List<String> failedLog() {
    String log = failedLog;
    return log == null ? List.of() : log.lines().toList();
  }

  /** {@code exited with code 3}, if the container of a failed start had exited. */
  String failedState() {
    return failedState;
  }
}
