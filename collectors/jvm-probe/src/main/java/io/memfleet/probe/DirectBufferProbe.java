package io.memfleet.probe;

import io.memfleet.probe.internal.ProbeRuntime;
import java.lang.instrument.Instrumentation;

/**
 * The direct-buffer probe's agent entry: records which stacks hold live direct {@code ByteBuffer}s
 * and reports them as {@link DirectBufferSite} JFR events, so a JVM's own recording carries them.
 *
 * <pre>{@code
 * java -javaagent:memfleet-collector-jvm-probe.jar=period=10 -jar app.jar      // at start
 * VirtualMachine.attach(pid).loadAgent(jar, "sampleBytes=262144,period=10");  // running JVM
 * VirtualMachine.attach(pid).loadAgent(jar, "stop");                          // remove it again
 * }</pre>
 *
 * <p>Its classes are the system class loader's; the one class {@code ByteBuffer} calls is defined
 * in {@code java.nio} at start ({@code internal.JavaNioHook}), so nothing goes on the bootstrap
 * class path. Nothing here throws into the JVM: a failure is printed once on stderr, prefixed
 * {@code [memfleet-probe]}, and the application runs on unprobed.
 */
public final class DirectBufferProbe {
  private DirectBufferProbe() {}

  /** At JVM start: {@code -javaagent:<jar>[=options]}. */
  public static void premain(String args, Instrumentation inst) {
    start(args, inst);
  }

  /** In a running JVM, by dynamic attach; {@code "stop"} removes the probe again. */
  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst);
  }

  private static void start(String args, Instrumentation inst) {
    try {
      ProbeRuntime.apply(args, inst);
    } catch (Throwable t) {
      System.err.println("[memfleet-probe] not loaded: " + t);
    }
  }
}
