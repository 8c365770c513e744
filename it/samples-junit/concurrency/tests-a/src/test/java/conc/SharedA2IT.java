package conc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cachedimage.junit.CachedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.utility.DockerImageName;

/** Asks for the shared image when the other three test JVMs do. */
@ExtendWith(Barrier.class)
class SharedA2IT {
  @CachedImage(value = "cachedimage-it/conc-shared", context = "../shared")
  static DockerImageName image;

  @Test
  void getsTheSharedImageByItsContentTag() {
    assertEquals("cachedimage-it/conc-shared", image.getUnversionedPart());
    assertTrue(image.getVersionPart().startsWith("fp-"), image.asCanonicalNameString());
  }
}
