package io.memfleet.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Fuzz inputs made from seeds (golden files, captured lines) by stacking one to eight random
 * mutations, the way a mutation fuzzer does: bit flips, interesting bytes, inserts, deletes,
 * duplicated and repeated chunks (long lines for regular expressions), cuts, splices of two seeds,
 * and tokens parsers trip on (numbers past {@code long}, endless varints, NUL, octal escapes). Now
 * and then an input is a seed as is, or plain random bytes.
 *
 * <pre>{@code
 * @Property
 * void neverThrowsOtherThanItsError(@ForAll("inputs") String line) { ... }
 *
 * @Provide
 * Arbitrary<String> inputs() {
 *   return Mutations.text(Mutations.linesOf(Path.of("src/test/resources/golden/go")));
 * }
 * }</pre>
 */
public final class Mutations {
  /** Inputs grow no larger than this: long enough for quadratic work to show, fast to run. */
  public static final int MAX_BYTES = 32 * 1024;

  private static final byte[] INTERESTING_BYTES = {0, -1, 0x7F, -128, '\n', '\r', ' ', '\t', ':',
      '-', '.', '(', ')', '=', '0', '9', '"', '{', '}', '[', ']', '\\', '@', '/', ',', '#', ';',
      '\'', '+', 'e', 'x'};
  private static final List<byte[]> TOKENS = Stream.of(
      "99999999999999999999999", "-9223372036854775808", "9223372036854775807",
      "18446744073709551616", "4294967296", "2147483648", "-1", "0", "NaN", "1e999", "-0.0",
      "\u0000", "\\000", "\\", "0x", "ffffffffffffffffff", " - ", "0::/", "gc 1 @", " @", "))",
      "((", "-- @if version >= ", "-- @else", "-- @end", "'", "\"", "{\"", "[[[[[[[[",
      "{\"a\":", " kB", "max", "\t", "\n\n", "\r\n", "\u00ff\u00fe", "\ud83d\ude00", "\ud800")
      .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
  private static final byte[] ENDLESS_VARINT = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};

  private Mutations() {}

  /** Mutated byte arrays (mostly), seeds as they are, and random bytes. */
  public static Arbitrary<byte[]> bytes(List<byte[]> seeds) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("no seeds");
    }
    List<byte[]> copy = List.copyOf(seeds);
    return Arbitraries.randomValue(random -> next(copy, random));
  }

  /**
   * Mutated text: the mutated bytes read as UTF-8 (malformed sequences become U+FFFD) or as
   * ISO-8859-1 (every byte a character), half and half.
   */
  public static Arbitrary<String> text(List<String> seeds) {
    List<byte[]> raw = seeds.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    return Arbitraries.randomValue(random -> {
      byte[] b = next(raw, random);
      return new String(b, random.nextBoolean() ? StandardCharsets.UTF_8
          : StandardCharsets.ISO_8859_1);
    });
  }

  /** One input: 1 in 16 a seed as is, 1 in 16 random bytes, else 1–8 stacked mutations. */
  public static byte[] next(List<byte[]> seeds, Random r) {
    int pick = r.nextInt(16);
    if (pick == 0) {
      return seeds.get(r.nextInt(seeds.size())).clone();
    }
    if (pick == 1) {
      byte[] b = new byte[r.nextInt(256)];
      r.nextBytes(b);
      return b;
    }
    byte[] b = seeds.get(r.nextInt(seeds.size()));
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      b = mutate(b, seeds, r);
    }
    return b.length > MAX_BYTES ? Arrays.copyOf(b, MAX_BYTES) : b;
  }

  private static byte[] mutate(byte[] b, List<byte[]> seeds, Random r) {
    int len = b.length;
    int at = len == 0 ? 0 : r.nextInt(len + 1);
    switch (r.nextInt(10)) {
      case 0: // flip a bit
        if (len > 0) {
          b = b.clone();
          b[r.nextInt(len)] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
      case 1: // an interesting byte
        if (len > 0) {
          b = b.clone();
          b[r.nextInt(len)] = INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
        }
        return b;
      case 2: { // random bytes in
        byte[] in = new byte[1 + r.nextInt(16)];
        r.nextBytes(in);
        return insert(b, at, in);
      }
      case 3: { // a range out
        if (len == 0) {
          return b;
        }
        int from = r.nextInt(len);
        int to = Math.min(len, from + 1 + r.nextInt(Math.max(1, len / 4)));
        return concat(Arrays.copyOfRange(b, 0, from), Arrays.copyOfRange(b, to, len));
      }
      case 4: { // a chunk copied elsewhere
        if (len == 0) {
          return b;
        }
        int from = r.nextInt(len);
        int to = Math.min(len, from + 1 + r.nextInt(64));
        return insert(b, at, Arrays.copyOfRange(b, from, to));
      }
      case 5: // cut
        return Arrays.copyOf(b, at);
      case 6: { // splice: our head, another seed's tail
        byte[] other = seeds.get(r.nextInt(seeds.size()));
        int from = other.length == 0 ? 0 : r.nextInt(other.length);
        return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(other, from, other.length));
      }
      case 7: // a token parsers trip on
        return insert(b, at, r.nextInt(8) == 0 ? ENDLESS_VARINT : TOKENS.get(r.nextInt(
            TOKENS.size())));
      case 8: { // a chunk repeated: long lines, deep nesting, many fields
        if (len == 0) {
          return b;
        }
        int from = r.nextInt(len);
        int to = Math.min(len, from + 1 + r.nextInt(8));
        byte[] chunk = Arrays.copyOfRange(b, from, to);
        int times = 1 + r.nextInt(r.nextBoolean() ? 16 : 2000);
        byte[] run = new byte[Math.min(MAX_BYTES, chunk.length * times)];
        for (int i = 0; i < run.length; i++) {
          run[i] = chunk[i % chunk.length];
        }
        return insert(b, at, run);
      }
      default: { // the digits at a random place made huge, or a digit changed
        b = b.clone();
        for (int i = at; i < len; i++) {
          if (b[i] >= '0' && b[i] <= '9') {
            if (r.nextBoolean()) {
              b[i] = (byte) ('0' + r.nextInt(10));
              return b;
            }
            return insert(b, i, "9999999999999999999999".getBytes(StandardCharsets.US_ASCII));
          }
        }
        return b;
      }
    }
  }

  private static byte[] insert(byte[] b, int at, byte[] in) {
    byte[] out = new byte[Math.min(MAX_BYTES * 2, b.length + in.length)];
    System.arraycopy(b, 0, out, 0, Math.min(at, out.length));
    int n = Math.min(in.length, out.length - at);
    System.arraycopy(in, 0, out, at, Math.max(0, n));
    int rest = Math.min(b.length - at, out.length - at - Math.max(0, n));
    if (rest > 0) {
      System.arraycopy(b, at, out, at + n, rest);
    }
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Every regular file under {@code dir} (recursively) as a seed, in name order. */
  public static List<byte[]> filesUnder(Path dir) {
    List<byte[]> seeds = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        seeds.add(Files.readAllBytes(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return seeds;
  }

  /** The files under {@code dir} whose names end with {@code suffix}, as text. */
  public static List<String> textFilesUnder(Path dir, String suffix) {
    List<String> seeds = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList()) {
        seeds.add(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return seeds;
  }

  /** The non-blank lines of the files {@link #textFilesUnder} finds, as seeds. */
  public static List<String> linesOf(Path dir, String suffix) {
    List<String> lines = new ArrayList<>();
    for (String text : textFilesUnder(dir, suffix)) {
      text.lines().filter(l -> !l.isBlank()).forEach(lines::add);
    }
    return lines;
  }
}
