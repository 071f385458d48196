package io.memfleet.pipeline.clickhouse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * What a schema is turned into once — {@link AvroJsonText}'s and {@link AvroBinaryJsonText}'s
 * writers — found again by the schema instance itself (generated records share one). Bounded: a
 * program that makes schemas at run time gets its entries dropped, not kept forever.
 *
 * <pre>{@code
 * WritersBySchema<Writer> writers = new WritersBySchema<>(s -> compile(s));
 * writers.of(record.getSchema()).write(out, record);
 * }</pre>
 */
final class WritersBySchema<W> {
  private static final int MAX_SCHEMAS = 1024;
  private final Map<Schema, W> writers = new ConcurrentHashMap<>();
  private final Function<Schema, W> compile;

  WritersBySchema(Function<Schema, W> compile) {
    this.compile = compile;
  }

  /** The writer of {@code schema}, made on first use. */
  W of(Schema schema) {
    W w = writers.get(schema);
    if (w == null) {
      w = compile.apply(schema);
      if (writers.size() >= MAX_SCHEMAS) {
        writers.clear();
      }
      writers.put(schema, w);
    }
    return w;
  }
}
