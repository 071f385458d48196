package io.memfleet.launcher;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the JVMs that {@code up} and {@code eval} start are collected: {@link #OUTSIDE} (the
 * default, as memfleet onboards a user's JVM) runs only memfleet's JFR recording inside the JVM,
 * started by the flags {@code memfleet jfr-flags} prints, and the node collector reads its
 * repository from outside; {@link #AGENT} runs the in-process agent instead.
 */
enum JvmCollection {
  OUTSIDE,
  AGENT;

  /** The option's value: {@code outside} or {@code agent}, any case. */
  static final class Converter implements ITypeConverter<JvmCollection> {
    @Override
    public JvmCollection convert(String value) {
      try {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not a JVM collection: outside"
            + " (memfleet's JFR recording read by the node collector) or agent (in-process)");
      }
    }
  }
}
