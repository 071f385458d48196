package io.memfleet.pipeline.cluster;

import static io.memfleet.pipeline.cluster.PipelineDeployment.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.cluster.PipelineDeployment.Stored;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The pipeline as production runs it, on a real Flink cluster of separate JobManager and
 * TaskManager processes ({@link LocalFlinkCluster}): the shaded job jar uploaded and run over
 * Flink's REST API, reading a real Kafka broker and writing a real ClickHouse
 * ({@link PipelineDeployment}). Each test publishes a first batch of events and waits until it is
 * in ClickHouse, publishes a second and, while it is on its way, takes the job down one way — its
 * TaskManager killed with SIGKILL, its JobManager killed with SIGKILL, or the job stopped with a
 * savepoint for an upgrade — and brings it back; a third batch published afterwards must follow.
 * The ClickHouse sink is exactly-once (rows committed per checkpoint, each batch once), so
 * {@code events_raw} must hold every event of the three batches exactly once: no row lost, none
 * written twice — the batch in flight is the one a failover would lose or replay.
 *
 * <p>Two more tests take a server away instead of a Flink process: ClickHouse, or the Kafka
 * broker, stopped while the job runs and started again on its ports and data directory after an
 * outage of {@code -Dmemfleet.fault.outage} ({@value #DEFAULT_OUTAGE} by default, short for CI).
 * The fault plan asks for two minutes of each:
 * {@code mvn -pl pipeline verify -Dit.test=LocalFlinkClusterIT -Dmemfleet.fault.outage=2m}.
 * Without ClickHouse the sink's committers hold their batches and retry with back-off for up to
 * {@link ClickHouseOptions#MAX_COMMIT_WAIT} (10 min): the job keeps running, backed up in Kafka,
 * and does not restart. Without the broker the Kafka readers wait, but the source's partition
 * discovery fails the job once its admin call gives up (after a minute: "Failed to list
 * subscribed topic partitions"); the restart strategy brings it back from its last checkpoint.
 * Measured here: no restart in a 20 s outage, two in a two-minute one, and no row lost or doubled.
 *
 * <p>The broker and the ClickHouse server are started once for the class and shared by its tests
 * ({@link SharedServers}); each test has topics, a consumer group and a ClickHouse database of
 * its own on them, and a Flink cluster of its own, whose processes it ends. An outage test stops
 * the shared server and starts it again; the tests after it use it as they find it, and one left
 * down by a failed test is started again before the next test.
 *
 * <p>Needs the job jar ({@code mvn -pl pipeline package}; {@code verify} builds it before this
 * runs). A test's directory stays when it fails: the JobManager and TaskManager logs are under
 * {@code flink/log}, checkpoints and savepoints next to them. The servers' directory, with the
 * broker's and ClickHouse's logs, stays when any test failed; its path is printed.
 *
 * <p>Runs beside the module's other test classes (junit-platform.properties); its own tests run
 * one after another (the lock on the servers they share keeps them on one thread).
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("memfleet.pipeline.cluster.shared-servers")
class LocalFlinkClusterIT {
  private static final int FIRST_BATCH = 400;
  private static final int IN_FLIGHT_BATCH = 300;
  private static final int LAST_BATCH = 300;
  private static final int ALL = FIRST_BATCH + IN_FLIGHT_BATCH + LAST_BATCH;
  /** Under the 1 s checkpoint interval: the batch is on its way, not committed, at the kill. */
  private static final Duration KILL_AFTER = Duration.ofMillis(400);
  /** Generous: the machine has two cores, shared with Kafka, ClickHouse and other work. */
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
  private static final String DEFAULT_OUTAGE = "20 s";
  /** How long a server stays down in the outage tests, in Flink's duration syntax: "2m", "90 s". */
  private static final Duration OUTAGE = TimeUtils.parseDuration(
      System.getProperty("memfleet.fault.outage", DEFAULT_OUTAGE));

  @RegisterExtension static final SharedServers SERVERS = new SharedServers();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void aTaskManagerKilledWithSigkillLosesNoRowAndDuplicatesNone() throws Exception {
    try (PipelineDeployment memfleet = PipelineDeployment.start(dir, SERVERS)) {
      LocalFlinkCluster flink = memfleet.flink();
      InFlight fault = secondBatchInFlight(memfleet);
      String job = fault.job();
      // one slot per TaskManager and the job at their number: the one killed runs a subtask
      assertThat(flink.jobParallelism(job)).as("the job's parallelism").isEqualTo(2);
      flink.killTaskManager(0);
      flink.startTaskManager();
      long taskManagerBack = memfleet.seconds();
      waitFor(() -> flink.numRestarts(job) >= 1, JOB_TIMEOUT, "a restart of " + job);
      flink.awaitJobRunning(job, JOB_TIMEOUT);

      Stored after = lastBatch(memfleet, "TaskManager kill", fault, taskManagerBack, job, "");
      assertThat(flink.numRestarts(job)).as("restarts of the job").isGreaterThanOrEqualTo(1);
      assertThat(flink.jobStatus(job)).isEqualTo("RUNNING");
      assertExactlyOnce(fault, after);
    }
  }

  /**
   * No high availability here (no ZooKeeper, no Kubernetes config maps): the new JobManager knows
   * no job, so the job is submitted again from the newest checkpoint the killed one left on disk,
   * as an operator's last-state upgrade restores, as soon as the new JobManager answers. The
   * TaskManager is not restarted: it gives up on the dead JobManager's job after a heartbeat
   * timeout and registers with the new one, whose job waits for its slots meanwhile. The timeout
   * is 5 s in this test instead of the cluster's 10 s: the test waits that long for it.
   */
  @Test
  void aJobManagerKilledWithSigkillAndTheJobResubmittedFromItsLastCheckpointLosesNoRow()
      throws Exception {
    try (PipelineDeployment memfleet = PipelineDeployment.start(dir, SERVERS,
        Map.of("heartbeat.timeout", "5 s"))) {
      LocalFlinkCluster flink = memfleet.flink();
      InFlight fault = secondBatchInFlight(memfleet);
      flink.killJobManager();
      Path checkpoint = flink.latestRetainedCheckpoint(fault.job()).orElseThrow(() ->
          new AssertionError("no completed checkpoint of " + fault.job() + " under "
              + flink.checkpointDir()));
      flink.startJobManager(false);
      long jobManagerBack = memfleet.seconds();
      String resubmitted = memfleet.submitFrom(checkpoint); // it waits for the TaskManager
      flink.awaitJobRunning(resubmitted, JOB_TIMEOUT);

      Stored after = lastBatch(memfleet, "JobManager kill", fault, jobManagerBack, resubmitted,
          ", job resubmitted from " + checkpoint.getFileName());
      assertThat(flink.jobStatus(resubmitted)).isEqualTo("RUNNING");
      assertExactlyOnce(fault, after);
    }
  }

  /**
   * An upgrade: stop-with-savepoint over REST while a batch is on its way (the rows read before
   * the savepoint are committed with it, the rest stay in Kafka behind the saved offsets), then
   * the job jar submitted again from the savepoint as a new job.
   */
  @Test
  void aStopWithSavepointUpgradeLosesNoRowAndDuplicatesNone() throws Exception {
    try (PipelineDeployment memfleet = PipelineDeployment.start(dir, SERVERS)) {
      LocalFlinkCluster flink = memfleet.flink();
      InFlight fault = secondBatchInFlight(memfleet);
      Path savepoint = flink.stopWithSavepoint(fault.job(), JOB_TIMEOUT);
      long stopped = memfleet.seconds();
      long rowsWhenStopped = memfleet.rows();
      String upgraded = memfleet.submitFrom(savepoint);
      long resubmittedAt = memfleet.seconds();
      flink.awaitJobRunning(upgraded, JOB_TIMEOUT);

      Stored after = lastBatch(memfleet, "savepoint upgrade", fault, resubmittedAt, upgraded,
          String.format(", stopped at %d s with %d rows, job resubmitted from %s", stopped,
              rowsWhenStopped, savepoint.getFileName()));
      assertThat(flink.jobStatus(fault.job())).as("the stopped job").isEqualTo("FINISHED");
      assertThat(flink.jobStatus(upgraded)).isEqualTo("RUNNING");
      assertExactlyOnce(fault, after);
    }
  }

  /** ClickHouse stopped with the first batch in it; the second batch is published meanwhile. */
  @Test
  void clickHouseDownForAnOutageHoldsTheCommitsAndLosesNoRow() throws Exception {
    try (PipelineDeployment memfleet = PipelineDeployment.start(dir, SERVERS)) {
      InFlight fault = firstBatchIn(memfleet);
      ServerOutage outage = ServerOutage.begin(memfleet.clickHouse(), OUTAGE);
      memfleet.publish(FIRST_BATCH + 1, IN_FLIGHT_BATCH);
      outage.end();

      Stored after = afterTheOutage(memfleet, "ClickHouse", outage, fault);
      if (OUTAGE.compareTo(ClickHouseOptions.MAX_COMMIT_WAIT.defaultValue()) < 0) {
        assertThat(memfleet.flink().numRestarts(fault.job()))
            .as("restarts of a job whose commits waited for ClickHouse").isZero();
      }
      assertExactlyOnce(fault, after);
    }
  }

  /**
   * The broker stopped while the second batch is on its way. Collectors spool what they cannot
   * send while it is down and send it once it is back, so the third batch is published only then.
   */
  @Test
  void theKafkaBrokerDownForAnOutageLosesNoRowAndTheJobRunsAfterIt() throws Exception {
    try (PipelineDeployment memfleet = PipelineDeployment.start(dir, SERVERS)) {
      InFlight fault = secondBatchInFlight(memfleet);
      ServerOutage outage = ServerOutage.begin(memfleet.kafka(), OUTAGE);
      outage.end();

      assertExactlyOnce(fault, afterTheOutage(memfleet, "Kafka broker", outage, fault));
    }
  }

  /**
   * Once the job of {@code fault} runs with all its tasks after {@code outage} (ended), publishes
   * the last batch ({@link #lastBatch}); asserts the job RUNNING then and returns what ClickHouse
   * holds. The summary tells what reached ClickHouse during the outage: nothing, when it was
   * ClickHouse that was down; what the job had read, when it was the broker.
   */
  private static Stored afterTheOutage(PipelineDeployment memfleet, String server,
      ServerOutage outage, InFlight fault) throws Exception {
    long back = memfleet.seconds();
    long rowsWhenBack = memfleet.rows();
    memfleet.flink().awaitJobRunning(fault.job(), JOB_TIMEOUT);
    Stored after = lastBatch(memfleet, server + " down " + OUTAGE.toSeconds() + " s", fault, back,
        fault.job(), String.format(", %s %s, %d rows when it was back", server, outage,
            rowsWhenBack));
    assertThat(memfleet.flink().jobStatus(fault.job())).isEqualTo("RUNNING");
    return after;
  }

  /**
   * The job of a fault test at the moment of its fault.
   *
   * @param before rows in ClickHouse once the first batch was in
   * @param firstRowsAt seconds into the test when they were
   * @param inFlightCommitted rows of the second batch in ClickHouse at the fault
   * @param faultAt seconds into the test at the fault
   */
  private record InFlight(String job, long before, long firstRowsAt, long inFlightCommitted,
      long faultAt) {
    InFlight secondBatchOnItsWay(long committed, long at) {
      return new InFlight(job, before, firstRowsAt, committed, at);
    }
  }

  /**
   * Submits the job, publishes the first batch and returns once it is in ClickHouse: the moment
   * of a fault before the second batch is published.
   */
  private static InFlight firstBatchIn(PipelineDeployment memfleet) throws Exception {
    String job = memfleet.submit();
    memfleet.flink().awaitJobRunning(job, JOB_TIMEOUT);
    memfleet.publish(1, FIRST_BATCH);
    long before = memfleet.awaitRows(FIRST_BATCH);
    long firstRowsAt = memfleet.seconds();
    return new InFlight(job, before, firstRowsAt, 0, firstRowsAt);
  }

  /**
   * As {@link #firstBatchIn}, then publishes the second batch and returns while it is on its way:
   * the moment of the fault.
   */
  private static InFlight secondBatchInFlight(PipelineDeployment memfleet) throws Exception {
    InFlight first = firstBatchIn(memfleet);
    memfleet.publish(FIRST_BATCH + 1, IN_FLIGHT_BATCH);
    Thread.sleep(KILL_AFTER.toMillis());
    return first.secondBatchOnItsWay(memfleet.rows() - first.before(), memfleet.seconds());
  }

  /**
   * Publishes the last batch to the recovered {@code job}, waits for its rows and for any late
   * duplicate, and prints the test's summary line; returns what ClickHouse holds then.
   *
   * @param overAt seconds into the test when what failed was back (a process or server started
   *     again, a job resubmitted): the summary counts the recovery from there until every event
   *     is in ClickHouse
   * @param recovery how the job came back, for the summary (", resubmitted from chk-3")
   */
  private static Stored lastBatch(PipelineDeployment memfleet, String fault, InFlight inFlight,
      long overAt, String job, String recovery) throws Exception {
    long recoveredAt = memfleet.seconds();
    memfleet.publish(FIRST_BATCH + IN_FLIGHT_BATCH + 1, LAST_BATCH);
    memfleet.awaitRows(ALL);
    long allRowsAt = memfleet.seconds();
    memfleet.awaitLaterCommits(job);
    Stored after = memfleet.stored();
    System.out.printf("LocalFlinkClusterIT, %s: rows %d of %d before the fault (%d of the second"
            + " batch's %d committed at it), %d rows (%d distinct) of %d after, %d restart(s) of"
            + " the running job; topics, database and cluster up in %d s, first rows at %d s,"
            + " fault at %d s%s, over at %d s, job running at %d s, all rows in at %d s (%d s"
            + " after the fault was over), total %d s%n", fault, inFlight.before(), FIRST_BATCH,
        inFlight.inFlightCommitted(), IN_FLIGHT_BATCH, after.rows(), after.distinct(), ALL,
        memfleet.flink().numRestarts(job), memfleet.readySeconds(), inFlight.firstRowsAt(),
        inFlight.faultAt(), recovery, overAt, recoveredAt, allRowsAt, allRowsAt - overAt,
        memfleet.seconds());
    return after;
  }

  private static void assertExactlyOnce(InFlight inFlight, Stored after) {
    assertThat(inFlight.before()).as("rows of the first batch before the fault")
        .isEqualTo(FIRST_BATCH);
    assertThat(after.rows()).as("rows of the three batches").isEqualTo(ALL);
    assertThat(after.distinct()).as("distinct events").isEqualTo(ALL);
  }
}
