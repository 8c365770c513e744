package io.github.cachedimage.core.spec;

/**
 * How many content tags ({@code <image>:fp-<12 hex>}) of an image to keep after a build, newest
 * first, the current one included; the rest are untagged unless a container or another record still
 * uses them. {@link #ALL} turns pruning off.
 *
 * @param count at least 1, or 0 for all
 */
public record KeepContentTags(int count) {
  /** The default: the current tag and the two before it, enough to go back and forth. */
  public static final KeepContentTags DEFAULT = new KeepContentTags(3);

  /** Every content tag stays: nothing is pruned. */
  public static final KeepContentTags ALL = new KeepContentTags(0);

  public KeepContentTags {
    if (count < 0) {
      throw new InvalidBuildSpecException(
          "keepContentTags", "keepContentTags must be 1 or more, or all (0); got " + count);
    }
  }

  /**
   * {@code 3}, {@code all} (or {@code 0}); blank for {@link #DEFAULT}.
   *
   * @throws InvalidBuildSpecException naming {@code keepContentTags} for anything else
   */
  public static KeepContentTags parse(String setting) {
    if (setting == null || setting.isBlank()) {
      return DEFAULT;
    }
    String s = setting.strip();
    if (s.equalsIgnoreCase("all")) {
      return ALL;
    }
    try {
      int n = Integer.parseInt(s);
      if (n >= 0) {
        return new KeepContentTags(n);
      }
    } catch (NumberFormatException notANumber) {
      // said below
    }
    throw new InvalidBuildSpecException(
        "keepContentTags",
        "'"
            + s
            + "' is not a number of content tags to keep; use a number of 1 or more (3 is the"
            + " default), or all to keep every content tag");
  }

  /** Whether every content tag stays. */
  public boolean all() {
    return count == 0;
  }

  @Override
  public String toString() {
    return all() ? "all" : Integer.toString(count);
  }
}
