package io.memfleet.collector.jfr;

import io.memfleet.collector.ClockSyncSampler;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.jfr.internal.AgentLog;
import io.memfleet.collector.jfr.internal.JfrPump;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import jdk.management.jfr.FlightRecorderMXBean;
import jdk.management.jfr.RemoteRecordingStream;

/**
 * Streams JFR from a JVM this process does not own, over JMX, with
 * {@link RemoteRecordingStream} (JDK 16+ on both sides), e.g. from the node collector to a JVM
 * that was started without the agent but with JMX on loopback.
 *
 * <pre>{@code
 * try (RemoteJfrCollector c = RemoteJfrCollector.builder().jmx("127.0.0.1:9010")
 *     .options(options).sink(sink).build()) {
 *   c.start();                 // connects, resolves the identity, starts the stream
 *   c.awaitTermination();      // until the JVM goes away or close() is called
 * }
 * }</pre>
 *
 * <p>Identity: the remote JVM's pid comes from its RuntimeMXBean; the rest is read from this
 * host's procfs, so remote mode serves JVMs on the same node (the collector's DaemonSet case). If
 * the target runs in another pid namespace (a container), pass the host pid with
 * {@link Builder#pidHint}.
 */
public final class RemoteJfrCollector implements AutoCloseable {
  private final String jmx;
  private final JfrOptions options;
  private final EventSink sink;
  private final ProcessIdentities identities;
  private final Integer pidHint;
  private final AgentLog log = new AgentLog(false);
  private JMXConnector connector;
  private RemoteRecordingStream stream;
  private ProcessIdentity target;
  private Thread clockThread;

  private RemoteJfrCollector(Builder b) {
    this.jmx = b.jmx;
    this.options = b.options;
    this.sink = b.sink;
    this.identities = b.identities != null ? b.identities : b.options.common().identities();
    this.pidHint = b.pidHint;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The JMX service URL for {@code host:port} with the platform's RMI connector. */
  public static JMXServiceURL serviceUrl(String hostPort) throws IOException {
    return new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + hostPort + "/jmxrmi");
  }

  /** Connects, resolves the target's identity and starts streaming (returns at once). */
  public synchronized void start() throws IOException {
    connector = JMXConnectorFactory.connect(serviceUrl(jmx));
    MBeanServerConnection conn = connector.getMBeanServerConnection();
    RuntimeMXBean runtime = ManagementFactory.newPlatformMXBeanProxy(conn,
        ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
    int pid = pidHint != null ? pidHint : (int) runtime.getPid();
    target = identities.forPid(pid);
    String collectorId = "jfr-remote/" + target.getNode() + "/" + ProcessHandle.current().pid()
        + "/" + pid;
    EventHeaders headers = new EventHeaders(collectorId);
    stream = new RemoteRecordingStream(conn);
    stream.setSettings(options.jfrSettings(remoteEventTypes(conn)));
    JfrPump.wire(stream, new JfrEventMapper(target, headers, options.stackDepth()), sink, log);
    // not start() on a thread of ours: on JDK 17 it holds the lock close() needs while streaming
    stream.startAsync();
    clockThread = new Thread(() -> clockLoop(headers), "memfleet-jfr-remote-clock");
    clockThread.setDaemon(true);
    clockThread.start();
  }

  private static Set<String> remoteEventTypes(MBeanServerConnection conn) throws IOException {
    // read the raw attribute: the MXBean proxy's EventTypeInfo.from() fails on JDK 17 data
    Set<String> names = new HashSet<>();
    try {
      Object types = conn.getAttribute(new ObjectName(FlightRecorderMXBean.MXBEAN_NAME),
          "EventTypes");
      for (CompositeData t : (CompositeData[]) types) {
        names.add((String) t.get("name"));
      }
    } catch (JMException | ClassCastException e) {
      throw new IOException("cannot list the target's JFR event types: " + e, e);
    }
    return names;
  }

  private void clockLoop(EventHeaders headers) {
    ClockSyncSampler sampler = new ClockSyncSampler();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        sink.publish(sampler.sample(target, Source.JFR, headers));
        Thread.sleep(options.clockSyncPeriod().toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The identity of the JVM being streamed (after {@link #start()}). */
  public ProcessIdentity target() {
    return target;
  }

  /** Blocks until the stream ends (the remote JVM exits or {@link #close()} is called). */
  public void awaitTermination() throws InterruptedException {
    stream.awaitTermination();
  }

  /** Blocks at most {@code timeout}. */
  public void awaitTermination(Duration timeout) throws InterruptedException {
    stream.awaitTermination(timeout);
  }

  @Override
  public synchronized void close() {
    if (clockThread != null) {
      clockThread.interrupt();
    }
    if (stream != null) {
      stream.close();
    }
    if (connector != null) {
      try {
        connector.close();
      } catch (IOException ignored) {
        // the remote JVM may already be gone
      }
    }
  }

  /** Validating builder. */
  public static final class Builder {
    private String jmx;
    private JfrOptions options;
    private EventSink sink;
    private ProcessIdentities identities;
    private Integer pidHint;

    /** {@code host:port} of the target's JMX RMI registry. Required. */
    public Builder jmx(String hostPort) {
      this.jmx = hostPort;
      return this;
    }

    public Builder options(JfrOptions options) {
      this.options = options;
      return this;
    }

    public Builder sink(EventSink sink) {
      this.sink = sink;
      return this;
    }

    /** Identity source; default from the options' cluster/node/service/labels. */
    public Builder identities(ProcessIdentities identities) {
      this.identities = identities;
      return this;
    }

    /** Host pid of the target, when its own view of its pid differs (containers). */
    public Builder pidHint(Integer pidHint) {
      this.pidHint = pidHint;
      return this;
    }

    public RemoteJfrCollector build() {
      if (jmx == null || !jmx.matches("[^:\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("jmx must be host:port, got " + jmx);
      }
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(sink, "sink");
      if (pidHint != null && pidHint <= 0) {
        throw new IllegalArgumentException("pidHint must be positive: " + pidHint);
      }
      return new RemoteJfrCollector(this);
    }
  }
}
