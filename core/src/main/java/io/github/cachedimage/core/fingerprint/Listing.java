package io.github.cachedimage.core.fingerprint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A context scan's stat listing ({@link ContextScan#stats()}): the entries' paths (with the link
 * target or {@code dir} for entries that are no regular file), NUL-terminated, and four numbers per
 * entry (size, mtime in nanoseconds, permission bits, hash of the file key), in walk order. Numbers
 * stay numbers: formatting thousands of them as text is most of what a cold JVM would spend on the
 * listing. NUL cannot occur in a file name, so two listings are equal only if their entries are.
 */
public final class Listing {
  private final String names;
  private final long[] numbers;

  Listing(String names, long[] numbers) {
    this.names = names;
    this.numbers = numbers;
  }

  /** As stored in a record index: names length, names (UTF-8), numbers (big-endian). */
  public byte[] toBytes() {
    byte[] text = names.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(4 + text.length + numbers.length * 8);
    out.putInt(text.length).put(text).asLongBuffer().put(numbers);
    return out.array();
  }

  /**
   * @throws IllegalArgumentException if the bytes are no listing
   */
  public static Listing fromBytes(byte[] data, int from, int to) {
    if (to - from < 4) {
      throw new IllegalArgumentException("not a stat listing");
    }
    ByteBuffer in = ByteBuffer.wrap(data, from, to - from);
    int textLength = in.getInt();
    int numbersFrom = from + 4 + textLength;
    if (textLength < 0 || numbersFrom > to || (to - numbersFrom) % 8 != 0) {
      throw new IllegalArgumentException("not a stat listing");
    }
    String names = new String(data, from + 4, textLength, StandardCharsets.UTF_8);
    long[] numbers = new long[(to - numbersFrom) / 8];
    // bulk: a byte loop costs milliseconds interpreted, and this runs cold
    in.position(in.position() + textLength);
    in.asLongBuffer().get(numbers);
    return new Listing(names, numbers);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Listing other
        && Arrays.equals(numbers, other.numbers)
        && names.equals(other.names);
  }

  @Override
  public int hashCode() {
    return 31 * names.hashCode() + Arrays.hashCode(numbers);
  }

  @Override
  public String toString() {
    return "Listing[" + numbers.length / 4 + " entries]";
  }
}
