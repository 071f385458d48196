package io.memfleet.pipeline.model;

/**
 * One instance for each of a small set of repeated strings — the clusters and nodes events come
 * from — as they are read off the network, so that every event of a node names it with the same
 * {@code String}. Why: every per-process stage finds its keyed state, timers and window by the
 * event's {@link ProcessId}, whose equality compares the cluster and the node; the key in the
 * state was made from an earlier event, and with strings of its own each comparison read both
 * strings' bytes (4 % of the per-process task, most of it in state lookups). With one instance
 * {@code String.equals} answers on identity.
 *
 * <p>A cache, not a registry: a fixed number of slots by hash, a string taking a slot replaces
 * what was there, so a fleet with more distinct names than slots only shares fewer of them. Safe
 * to use from any thread without locking: a slot holds a reference to an immutable
 * {@code String} (its final fields make it safe to read through a race), and any string a slot
 * gives back is equal to the one asked for.
 *
 * <pre>{@code
 * static final SharedStrings PLACES = new SharedStrings(4096);
 * e.node = PLACES.of(WireStrings.read(in));
 * }</pre>
 */
public final class SharedStrings {
  private final String[] slots;
  private final int mask;

  /** A cache of {@code size} slots, a power of two. */
  public SharedStrings(int size) {
    if (size <= 0 || Integer.bitCount(size) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + size);
    }
    slots = new String[size];
    mask = size - 1;
  }

  /** A string equal to {@code s} (null for null): the one kept for it, else {@code s}, kept. */
  public String of(String s) {
    if (s == null) {
      return null;
    }
    int h = s.hashCode();
    int slot = (h ^ (h >>> 16)) & mask;
    String known = slots[slot];
    if (known != null && known.equals(s)) {
      return known;
    }
    slots[slot] = s;
    return s;
  }
}
