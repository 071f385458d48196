package io.memfleet.schema.codec;

import io.memfleet.event.ResidentMemory;
import io.memfleet.schema.codec.internal.SingleObjectHeader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Child JVM of {@link BoundedDecodingTest}, run with {@code -Xmx64m}: decodes a ResidentMemory
 * header followed by a 1.5 GB string length with the codec, then with plain Avro for contrast,
 * and prints one line for each ({@code codec: <reason>}, {@code avro: <error class>}).
 */
public final class LyingLengthInSmallHeap {
  private LyingLengthInSmallHeap() {}

  public static void main(String[] args) throws Exception {
    byte[] poison = PoisonRecords.hugeFirstLength(ResidentMemory.getClassSchema(), 1_500_000_000L);
    try {
      EventCodec.fromClasspath().decode(poison);
      System.out.println("codec: decoded");
    } catch (EventDecodeException e) {
      System.out.println("codec: " + e.reason() + " " + e.getMessage());
    } catch (OutOfMemoryError e) {
      System.out.println("codec: " + e);
    }
    try {
      new SpecificDatumReader<ResidentMemory>(ResidentMemory.class).read(null,
          DecoderFactory.get().binaryDecoder(poison, SingleObjectHeader.LENGTH,
              poison.length - SingleObjectHeader.LENGTH, null));
      System.out.println("avro: decoded");
    } catch (Throwable e) {
      System.out.println("avro: " + e.getClass().getName());
    }
    System.out.println("max heap: " + Runtime.getRuntime().maxMemory());
  }
}
