package io.memfleet.collector.ebpf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads the real output captured on the build machine under src/test/resources/golden. */
public final class Golden {
  private Golden() {}

  public static List<String> lines(String name) {
    return reader(name).lines().toList();
  }

  public static BufferedReader reader(String name) {
    InputStream in = Golden.class.getResourceAsStream("/golden/" + name);
    if (in == null) {
      throw new UncheckedIOException(new IOException("no golden file " + name));
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }
}
