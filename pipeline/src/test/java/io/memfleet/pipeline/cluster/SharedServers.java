package io.memfleet.pipeline.cluster;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * The real Kafka broker and ClickHouse server the tests of one class share, as a JUnit extension
 * on a static field: started once before the class's first test (one after the other), stopped
 * after its last. Starting them is most of a {@link PipelineDeployment}'s start-up; a deployment
 * brings its own topics, consumer group and ClickHouse database on them, and its own Flink
 * cluster, so the tests do not see each other's rows or offsets.
 *
 * <pre>{@code
 * @RegisterExtension static final SharedServers SERVERS = new SharedServers();
 * try (PipelineDeployment memfleet = PipelineDeployment.start(dir, SERVERS)) { ... }
 * }</pre>
 *
 * <p>A test may stop one of them for an outage ({@link ServerOutage}) and start it again on its
 * ports and data directory. Should a test end with one still down (it failed mid-outage), the
 * next test starts it again first: {@link io.memfleet.localstack.LocalServer#start()} before each
 * test starts a server that is down and only checks that a running one answers. ClickHouse runs
 * with a keep-alive timeout of 2 s, so that its shutdown takes no longer
 * ({@link #writeKeepAliveTimeout}). Their directory,
 * with the broker's and the server's logs, is deleted after the class when every test passed,
 * and kept (its path printed) when one failed.
 */
final class SharedServers implements BeforeAllCallback, BeforeEachCallback, TestWatcher,
    AfterAllCallback {
  private Path dir;
  private KafkaBroker kafka;
  private ClickHouseServer clickHouse;
  private boolean keepDir;

  /** The shared broker; started. */
  KafkaBroker kafka() {
    return started(kafka);
  }

  /** The shared ClickHouse server; started. */
  ClickHouseServer clickHouse() {
    return started(clickHouse);
  }

  private static <T> T started(T server) {
    if (server == null) {
      throw new IllegalStateException("the shared servers are not started: register "
          + SharedServers.class.getSimpleName() + " on a static field with @RegisterExtension");
    }
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory(context.getRequiredTestClass().getSimpleName() + "-servers-");
    // one after the other: each picks free ports, and two picking at once can pick the same
    // (a clean CI run failed so: "port … is taken by another program"); ClickHouse starts in
    // under a second
    Throwable failure = null;
    try {
      writeKeepAliveTimeout(dir.resolve("clickhouse"));
      clickHouse = TestServers.clickHouse(dir);
      kafka = TestServers.kafka(dir);
    } catch (Exception | Error e) {
      failure = e;
    }
    if (failure != null) {
      // a missing capability skips the class: nothing worth keeping
      keepDir = !(failure instanceof TestAbortedException);
      afterAll(context);
      if (failure instanceof Error error) {
        throw error;
      }
      throw (Exception) failure;
    }
  }

  /**
   * A shorter HTTP keep-alive timeout than ClickHouse 18.16's 10 s, in a {@code config.d} file the
   * server merges into the configuration it is started with. Its shutdown waits for each idle
   * keep-alive connection until that timeout — the job's committers and the test's queries leave
   * some — and while it waits, it still answers on them: the outage a test times starts only
   * when the server is gone ({@link ServerOutage}), so that wait was only time lost. The server
   * announces the timeout ({@code Keep-Alive: timeout=2}) and the clients do not reuse a
   * connection idle longer.
   */
  private static void writeKeepAliveTimeout(Path workDir) throws IOException {
    Path configD = Files.createDirectories(workDir.resolve("config.d"));
    Files.writeString(configD.resolve("memfleet-test-keep-alive.xml"), """
        <?xml version="1.0"?>
        <yandex>
          <keep_alive_timeout>2</keep_alive_timeout>
        </yandex>
        """, StandardCharsets.UTF_8);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException, InterruptedException {
    kafka().start();
    clickHouse().start();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    keepDir = true;
  }

  /** Stops both servers; deletes their directory unless a test failed. */
  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
    if (clickHouse != null) {
      clickHouse.close();
      clickHouse = null;
    }
    if (dir == null) {
      return;
    }
    if (keepDir) {
      System.out.println(context.getRequiredTestClass().getSimpleName()
          + ": the shared Kafka broker's and ClickHouse server's files stay in " + dir);
    } else {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(file);
        }
      }
    }
    dir = null;
  }
}
