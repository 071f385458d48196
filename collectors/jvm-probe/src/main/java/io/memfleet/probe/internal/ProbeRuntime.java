package io.memfleet.probe.internal;

import io.memfleet.probe.DirectBufferSite;
import java.lang.instrument.Instrumentation;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import jdk.jfr.FlightRecorder;

/**
 * Starts and stops the probe in this JVM. Called from {@code DirectBufferProbe.premain/agentmain};
 * the agent's classes are the system class loader's, once however often the agent is loaded, so
 * there is one probe per JVM: a second load while it runs is a no-op, {@code stop} undoes a start
 * and a later load starts afresh.
 *
 * <p>Start: opens {@code java.nio} to this module and defines the hook there ({@link
 * JavaNioHook}), registers the periodic JFR event, installs the recorder and points the hook at
 * it, then rewrites {@code ByteBuffer}. Stop: retransforms {@code ByteBuffer} back to its
 * original code, unhooks and removes the periodic event.
 */
public final class ProbeRuntime {
  /** The running probe, or null. Guarded by ProbeRuntime.class. */
  private static Running running;

  private ProbeRuntime() {}

  private record Running(AllocateDirectTransformer transformer, SiteReporter reporter,
      JavaNioHook hook) {}

  /** Applies an agent argument string; never throws. */
  public static synchronized void apply(String args, Instrumentation inst) {
    try {
      ProbeOptions options = ProbeOptions.parse(args);
      if (options.stop()) {
        stop(inst);
      } else {
        start(options, inst);
      }
    } catch (Throwable t) {
      ProbeLog.once("apply", "agent arguments '" + args + "' not applied", t);
    }
  }

  private static void start(ProbeOptions options, Instrumentation inst) throws Exception {
    if (running != null) {
      ProbeLog.once("twice", "already running; the options of a second load are ignored");
      return;
    }
    openJavaNio(inst);
    JavaNioHook hook = JavaNioHook.defineOrFind();
    SampleLedger ledger = new SampleLedger(options.maxSites());
    SiteReporter reporter = new SiteReporter(ledger, options.period(), System::nanoTime,
        ProbeRuntime::commit);
    FlightRecorder.register(DirectBufferSite.class);
    FlightRecorder.addPeriodicEvent(DirectBufferSite.class, reporter);
    AllocationHook.install(new AllocationRecorder(new Sampler(options.sampleBytes()), ledger));
    hook.sink(AllocationHook::onAllocateDirect);
    AllocateDirectTransformer transformer = new AllocateDirectTransformer();
    inst.addTransformer(transformer, true);
    try {
      inst.retransformClasses(ByteBuffer.class);
      if (!transformer.rewrote()) {
        throw new IllegalStateException("ByteBuffer.allocateDirect(int) was not rewritten");
      }
    } catch (Throwable t) {
      inst.removeTransformer(transformer);
      hook.sink(null);
      AllocationHook.uninstall();
      FlightRecorder.removePeriodicEvent(reporter);
      throw t;
    }
    running = new Running(transformer, reporter, hook);
  }

  private static void stop(Instrumentation inst) {
    if (running == null) {
      return;
    }
    Running stopping = running;
    running = null;
    inst.removeTransformer(stopping.transformer());
    try {
      inst.retransformClasses(ByteBuffer.class);
    } catch (Throwable t) {
      ProbeLog.once("restore", "ByteBuffer keeps the (now idle) hook", t);
    }
    stopping.hook().sink(null);
    AllocationHook.uninstall();
    FlightRecorder.removePeriodicEvent(stopping.reporter());
  }

  /** Lets this module define a class in {@code java.nio} and set its field. */
  private static void openJavaNio(Instrumentation inst) {
    Module javaBase = Object.class.getModule();
    Module probe = ProbeRuntime.class.getModule();
    if (!javaBase.isOpen("java.nio", probe)) {
      inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.nio", Set.of(probe)),
          Set.of(), Map.of());
    }
  }

  private static void commit(SiteReading reading) {
    DirectBufferSite event = new DirectBufferSite();
    event.frames = reading.frames();
    event.outstandingBytes = reading.outstandingBytes();
    event.allocatedBytes = reading.allocatedBytes();
    event.liveSamples = reading.liveSamples();
    event.commit();
  }
}
