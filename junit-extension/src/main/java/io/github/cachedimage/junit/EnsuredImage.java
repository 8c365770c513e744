package io.github.cachedimage.junit;

import org.testcontainers.images.RemoteDockerImage;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.ImageNameSubstitutor;

/**
 * An image that is present and built from the current inputs.
 *
 * @param image repository name
 * @param imageId the engine's image ID
 * @param reference what to run: the content tag ({@code greeter:fp-1a2b3c4d5e6f}), which never
 *     moves to an image built from other inputs
 * @param built whether this test run built it
 * @param summary one line saying what happened, for logs and report entries
 */
record EnsuredImage(String image, String imageId, String reference, boolean built, String summary) {

  DockerImageName imageName() {
    return DockerImageName.parse(reference);
  }

  /**
   * The image for a container: never pulled (it exists only locally, and a pull attempt would only
   * hide the real problem behind a registry error) and never renamed by a configured {@code
   * ImageNameSubstitutor} (a registry mirror prefix would point it at a registry too).
   */
  RemoteDockerImage remoteImage() {
    return new RemoteDockerImage(imageName())
        .withImagePullPolicy(name -> false)
        .withImageNameSubstitutor(ImageNameSubstitutor.noop());
  }
}
