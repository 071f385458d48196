package io.memfleet.collector.jfr.internal;

import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.repository.DirectBufferTrend;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.apache.avro.specific.SpecificRecord;

/**
 * memfleet's direct-buffer probe in the agent's own JVM. The agent watches its JVM's
 * direct-buffer pool as the node collector watches a JVM it reads from outside ({@link
 * DirectBufferTrend}); once the pool grows, it starts the probe with the {@link
 * Instrumentation} the JVM gave the agent — the probe's jar, which travels inside the agent's,
 * appended to the system class loader's search as the JVM does for an agent it loads — so the
 * alert on a growing pool can say which code keeps the buffers, with the agent as from outside.
 *
 * <pre>{@code
 * InProcessProbe probe = new InProcessProbe(inst, 10);
 * probe.observe(record);     // every record the agent publishes (its stream's thread)
 * if (probe.due()) {         // the agent's loop: once, after the pool grew
 *   probe.load();
 * }
 * }</pre>
 */
public final class InProcessProbe {
  private static final String PROBE_CLASS = "io.memfleet.probe.DirectBufferProbe";

  private final Instrumentation inst;
  private final long periodSeconds;
  private final DirectBufferTrend trend = new DirectBufferTrend();
  private volatile boolean growing;
  private volatile boolean tried;

  /**
   * @param inst what the JVM gave the agent (null when it gave none: then nothing is loaded)
   * @param periodSeconds how often the probe reports, the recording's period for its event
   */
  public InProcessProbe(Instrumentation inst, long periodSeconds) {
    this.inst = inst;
    this.periodSeconds = periodSeconds;
  }

  /** Notes a record the agent publishes: its JVM's direct-buffer readings feed the trend. */
  public void observe(SpecificRecord r) {
    if (growing || !(r instanceof MemoryPools pools)) {
      return;
    }
    for (PoolUsage u : pools.getPools()) {
      if (u.getPool() == MemoryPool.DIRECT_BUFFERS) {
        trend.reading(pools.getHeader().getRawTimestamp(), u.getUsedBytes());
        growing = trend.growing();
      }
    }
  }

  /** Whether the pool grows and the probe was not tried yet. */
  public boolean due() {
    return growing && !tried;
  }

  /**
   * Starts the probe in this JVM; tried once, whatever the outcome (the probe reports its own
   * failures on stderr and leaves the JVM as it was).
   *
   * @throws IOException when it could not be put where the JVM loads it from
   * @throws IllegalStateException when the JVM gave the agent no Instrumentation that may
   *     retransform classes
   */
  public void load() throws IOException, ReflectiveOperationException {
    tried = true;
    if (inst == null || !inst.isRetransformClassesSupported()) {
      throw new IllegalStateException("the JVM gave the agent no Instrumentation that may"
          + " retransform classes (started as -javaagent with Can-Retransform-Classes?)");
    }
    Path dir = Files.createTempDirectory("memfleet-probe-");
    dir.toFile().deleteOnExit();
    Path jar = dir.resolve("memfleet-direct-buffer-probe.jar");
    try (InputStream in = InProcessProbe.class.getResourceAsStream(
        RecordingControl.PROBE_RESOURCE)) {
      if (in == null) {
        throw new IOException("the direct-buffer probe is not in the agent's jar ("
            + RecordingControl.PROBE_RESOURCE + ")");
      }
      Files.copy(in, jar);
    }
    jar.toFile().deleteOnExit(); // deleted before its directory: the reverse order
    inst.appendToSystemClassLoaderSearch(new JarFile(jar.toFile()));
    Class.forName(PROBE_CLASS, true, ClassLoader.getSystemClassLoader())
        .getMethod("agentmain", String.class, Instrumentation.class)
        .invoke(null, "period=" + periodSeconds, inst);
  }
}
