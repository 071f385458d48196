package io.memfleet.probe.internal;

import java.util.List;

/**
 * An allocating stack: a key that is cheap to compare (what sites are looked up by, on every
 * sample) and the readable frames, worked out only when a stack makes a new site.
 */
interface CapturedStack {
  /** Equal for equal stacks; holds no class or frame objects, so a site pins no class loader. */
  Object key();

  /** {@code pkg.Class.method:line}, innermost first. */
  List<String> frames();

  /** A stack known by its readable frames alone (tests, and the "other" site). */
  static CapturedStack described(List<String> frames) {
    List<String> copy = List.copyOf(frames);
    return new CapturedStack() {
      @Override
      public Object key() {
        return copy;
      }

      @Override
      public List<String> frames() {
        return copy;
      }
    };
  }
}
