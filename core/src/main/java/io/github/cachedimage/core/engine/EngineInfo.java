package io.github.cachedimage.core.engine;

/**
 * Which engine answered, and whether it can do the job.
 *
 * @param id the engine's ID ({@code docker info}'s {@code ID}), or {@code ""} if it gave none
 * @param host the endpoint asked, e.g. {@code unix:///var/run/docker.sock}
 * @param version the engine's version ({@code 28.5.2}), or {@code ""}
 * @param podman whether the engine is Podman's Docker-compatible service
 * @param containerdStore whether the engine keeps images in the containerd image store (its {@code
 *     DriverStatus} names {@code io.containerd.snapshotter}); without it the {@code docker} driver
 *     exports no cache but inline
 */
public record EngineInfo(
    String id, String host, String version, boolean podman, boolean containerdStore) {

  /** An engine whose image store is not known (taken as the classic one). */
  public EngineInfo(String id, String host, String version, boolean podman) {
    this(id, host, version, podman, false);
  }

  /** The oldest Docker Engine whose BuildKit can export every cache type and load the result. */
  public static final int MINIMUM_MAJOR_VERSION = 24;

  /** {@code 7f3c2a1b (unix:///var/run/docker.sock)}: short enough for one log line. */
  public String describe() {
    return describe(id, host);
  }

  /** As {@link #describe()}, for an engine known only by its ID and address (a record's). */
  public static String describe(String id, String host) {
    String shortId = id.length() > 12 ? id.substring(0, 12) : id;
    return (shortId.isEmpty() ? "(no ID)" : shortId) + " (" + host + ")";
  }

  /** Whether the version is known and older than {@link #MINIMUM_MAJOR_VERSION}. */
  public boolean tooOld() {
    int dot = version.indexOf('.');
    String major = dot < 0 ? version : version.substring(0, dot);
    try {
      return !podman && Integer.parseInt(major) < MINIMUM_MAJOR_VERSION;
    } catch (NumberFormatException e) {
      return false; // unstamped or unusual versions are not refused
    }
  }
}
