package io.github.cachedimage.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A context scan's stat listing ({@link Fingerprinter.Scan#stats}): the entries' paths (with the
 * link target or {@code dir} for entries that are no regular file), NUL-terminated, and four
 * numbers per entry (size, mtime in nanoseconds, permission bits, hash of the file key), in walk
 * order. Numbers stay numbers: formatting thousands of them as text is most of what a cold JVM
 * would spend on the listing. NUL cannot occur in a file name, so two listings are equal only if
 * their entries are.
 */
public final class Listing {
  private final String names;
  private final long[] numbers;

  Listing(String names, long[] numbers) {
    this.names = names;
    this.numbers = numbers;
  }

  /** As stored in a record index: names length, names (UTF-8), numbers (big-endian). */
  byte[] toBytes() {
    byte[] text = names.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[4 + text.length + numbers.length * 8];
    int p = putInt(out, 0, text.length);
    System.arraycopy(text, 0, out, p, text.length);
    p += text.length;
    for (long n : numbers) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        out[p++] = (byte) (n >>> shift);
      }
    }
    return out;
  }

  /**
   * @throws IllegalArgumentException if the bytes are no listing
   */
  static Listing fromBytes(byte[] data, int from, int to) {
    int textLength = getInt(data, from);
    int numbersFrom = from + 4 + textLength;
    if (textLength < 0 || numbersFrom > to || (to - numbersFrom) % 8 != 0) {
      throw new IllegalArgumentException("not a stat listing");
    }
    String names = new String(data, from + 4, textLength, StandardCharsets.UTF_8);
    long[] numbers = new long[(to - numbersFrom) / 8];
    int p = numbersFrom;
    for (int i = 0; i < numbers.length; i++) {
      long n = 0;
      for (int k = 0; k < 8; k++) {
        n = (n << 8) | (data[p++] & 0xff);
      }
      numbers[i] = n;
    }
    return new Listing(names, numbers);
  }

  private static int putInt(byte[] out, int p, int v) {
    out[p] = (byte) (v >>> 24);
    out[p + 1] = (byte) (v >>> 16);
    out[p + 2] = (byte) (v >>> 8);
    out[p + 3] = (byte) v;
    return p + 4;
  }

  private static int getInt(byte[] data, int p) {
    return ((data[p] & 0xff) << 24)
        | ((data[p + 1] & 0xff) << 16)
        | ((data[p + 2] & 0xff) << 8)
        | (data[p + 3] & 0xff);
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
