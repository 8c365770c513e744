package conc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Waits (up to 90 s) until four test JVMs have arrived, so they ask for the image at the same time.
 * Registered on the class, it runs before the field's @CachedImage.
 */
public class Barrier implements BeforeAllCallback {
  static final int PARTIES = 4;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path dir = Files.createDirectories(Path.of(System.getProperty("barrier.directory")));
    Files.createFile(dir.resolve(context.getRequiredTestClass().getSimpleName()));
    long deadline = System.nanoTime() + 90_000_000_000L;
    long arrived;
    do {
      try (Stream<Path> files = Files.list(dir)) {
        arrived = files.count();
      }
      if (arrived >= PARTIES) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    System.out.println("barrier: " + arrived + " of " + PARTIES + " arrived");
  }
}
