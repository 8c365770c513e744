package io.github.cachedimage.core.record;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The head's {@code name<TAB>value} lines, read from the bytes. */
final class IndexLines {
  private final byte[] data;
  int position;

  IndexLines(byte[] data) {
    this.data = data;
  }

  String next() throws IOException {
    int start = position;
    while (position < data.length && data[position] != '\n') {
      position++;
    }
    if (position >= data.length) {
      throw new IOException("truncated");
    }
    return new String(data, start, position++ - start, StandardCharsets.UTF_8);
  }

  /** A {@code name<TAB>length} line and that many bytes of UTF-8 after it. */
  String block(String name) throws IOException {
    int length = Integer.parseInt(value(name));
    if (length < 0 || length > data.length - position) {
      throw new IOException("truncated " + name);
    }
    String text = new String(data, position, length, StandardCharsets.UTF_8);
    position += length;
    return text;
  }

  String value(String name) throws IOException {
    String line = next();
    if (!line.startsWith(name)
        || line.length() <= name.length()
        || line.charAt(name.length()) != '\t') {
      throw new IOException("expected " + name);
    }
    return line.substring(name.length() + 1);
  }
}
