package io.memfleet.collector.node.jvm;

/** The captured hsperfdata files, for tests in other packages. */
public final class PerfDataParsersTestAccess {
  private PerfDataParsersTestAccess() {}

  public static byte[] golden(String name) {
    return PerfDataParsersTest.golden(name);
  }
}
