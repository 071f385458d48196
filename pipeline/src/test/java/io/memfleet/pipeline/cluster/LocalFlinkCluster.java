package io.memfleet.pipeline.cluster;

import io.memfleet.localstack.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * A real Flink 2.2 session cluster on this machine for fault tests and the cluster benchmark
 * ({@code benchmarks}' {@code DecodeAlignBenchmark --cluster}): one JobManager and N
 * TaskManagers, each its own JVM started from Flink's entry points
 * ({@value #JOB_MANAGER_MAIN}, {@value #TASK_MANAGER_MAIN}) with a {@code config.yaml} written
 * under the test's directory, loopback addresses, free ports, checkpoints and savepoints on local
 * disk (checkpoints retained when a job is cancelled or fails) and a restart strategy that lets a
 * job come back after a lost TaskManager. Jobs reach it as in production: the job jar over the
 * REST API, fresh or restored from a savepoint or a retained checkpoint.
 *
 * <p>Each process gets the JVM memory flags and dynamic properties Flink's own start scripts would
 * compute from the configuration (the same {@code *ProcessUtils} they call), and the Java 17
 * options of the Flink distribution. The class path is this JVM's, less what only the job jar
 * brings ({@link ClusterClasspath}). Logs: {@code log/jobmanager-1.log},
 * {@code log/taskmanager-1.log}, … under the directory; they and the checkpoints stay after
 * {@link #close()}, which only ends the processes.
 *
 * <pre>{@code
 * try (LocalFlinkCluster flink = LocalFlinkCluster.builder(dir).jobJar(jar).start()) {
 *   String job = flink.uploadAndRun(jar, List.of("memfleet.kafka.bootstrap-servers=..."));
 *   flink.awaitJobRunning(job, Duration.ofSeconds(60));
 *   flink.killTaskManager(0);            // kill -9
 *   flink.startTaskManager();
 *   flink.awaitJobRunning(job, Duration.ofSeconds(60));
 *   long restarts = flink.numRestarts(job);
 *   Path savepoint = flink.stopWithSavepoint(job, Duration.ofSeconds(60));
 *   String upgraded = flink.uploadAndRun(jar, List.of(...), savepoint);
 * }
 * }</pre>
 */
public final class LocalFlinkCluster implements AutoCloseable {
  static final String JOB_MANAGER_MAIN =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  /** Failovers {@link #numRestarts} counts; above the restart strategy's 20 attempts. */
  private static final int MAX_FAILOVERS = 50;

  private final Path dir;
  private final Path confDir;
  private final Path checkpointDir;
  private final Configuration conf;
  private final String classpath;
  private final Duration startTimeout;
  private final boolean c1Only;
  private final FlinkRest rest;
  private final List<ChildProcess> taskManagers = new ArrayList<>();
  private final Thread killOnExit = new Thread(this::killAll, "flink-cluster-kill-on-exit");
  private ChildProcess jobManager;
  private int jobManagersStarted;

  private LocalFlinkCluster(Builder b) {
    this.dir = b.dir;
    this.confDir = b.dir.resolve("conf");
    this.checkpointDir = ClusterConfiguration.checkpointDir(b.dir);
    this.startTimeout = b.startTimeout;
    this.c1Only = b.c1Only;
    this.classpath = b.jobJar == null ? System.getProperty("java.class.path")
        : ClusterClasspath.of(System.getProperty("java.class.path"), b.jobJar);
    this.conf = ClusterConfiguration.defaults(b.dir, b.taskManagers, b.slotsPerTaskManager);
    b.settings.forEach(conf::setString);
    b.unset.forEach(conf::removeKey);
    this.rest = new FlinkRest("http://127.0.0.1:" + conf.toMap().get("rest.port"));
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** The REST endpoint and web UI, e.g. {@code http://127.0.0.1:38081}. */
  public String restUrl() {
    return rest.baseUrl();
  }

  /** The cluster's REST API, for what this class has no method for (e.g. metrics). */
  public FlinkRest rest() {
    return rest;
  }

  /** Where the cluster writes checkpoints: {@code <dir>/checkpoints/<job id>/chk-<n>}. */
  public Path checkpointDir() {
    return checkpointDir;
  }

  /** Uploads {@code jar} ({@code POST /jars/upload}) and runs it; returns the job id. */
  public String uploadAndRun(Path jar, List<String> programArgs)
      throws IOException, InterruptedException {
    return uploadAndRun(jar, programArgs, null);
  }

  /**
   * Uploads {@code jar} and runs it restored from {@code snapshot} — a savepoint or a retained
   * checkpoint, as an upgrade does; the job gets a new id. Returns it.
   */
  public String uploadAndRun(Path jar, List<String> programArgs, Path snapshot)
      throws IOException, InterruptedException {
    return rest.runJar(rest.uploadJar(jar), programArgs,
        conf.get(CoreOptions.DEFAULT_PARALLELISM), snapshot);
  }

  /**
   * Uploads {@code jar} ({@code POST /jars/upload}) once, for several {@link #run} calls; returns
   * the jar id.
   */
  public String upload(Path jar) throws IOException, InterruptedException {
    return rest.uploadJar(jar);
  }

  /** Runs an uploaded jar at the cluster's parallelism (its slots); returns the job id. */
  public String run(String jarId, List<String> programArgs)
      throws IOException, InterruptedException {
    return rest.runJar(jarId, programArgs, conf.get(CoreOptions.DEFAULT_PARALLELISM), null);
  }

  /**
   * Cancels the job and waits until it is in a terminal state (CANCELED, or FAILED/FINISHED when
   * it ended before); returns that state.
   */
  public String cancel(String jobId, Duration timeout) throws IOException, InterruptedException {
    if (!isTerminal(jobStatus(jobId))) {
      rest.cancel(jobId);
    }
    await("job " + jobId + " cancelled", timeout, () -> isTerminal(jobStatus(jobId)));
    return jobStatus(jobId);
  }

  private static boolean isTerminal(String state) {
    return state.equals("CANCELED") || state.equals("FAILED") || state.equals("FINISHED");
  }

  /** The highest parallelism among the job's tasks. */
  public int jobParallelism(String jobId) throws IOException, InterruptedException {
    int parallelism = 0;
    for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
      parallelism = Math.max(parallelism, vertex.path("parallelism").asInt());
    }
    return parallelism;
  }

  /**
   * Stops the job with a savepoint, as an upgrade does (sources not drained), and waits until the
   * savepoint is written and the job FINISHED. Returns the savepoint's directory,
   * {@code <dir>/savepoints/savepoint-<job>-<random>}.
   */
  public Path stopWithSavepoint(String jobId, Duration timeout)
      throws IOException, InterruptedException {
    String trigger = rest.stopWithSavepoint(jobId);
    await("the savepoint of " + jobId, timeout, () -> "COMPLETED".equals(
        rest.savepointOperation(jobId, trigger).path("status").path("id").asText()));
    JsonNode operation = rest.savepointOperation(jobId, trigger).path("operation");
    String location = operation.path("location").asText("");
    if (location.isEmpty()) {
      throw new IllegalStateException("stop-with-savepoint of " + jobId + " failed: "
          + operation.path("failure-cause"));
    }
    await("job " + jobId + " finished after its savepoint", timeout,
        () -> "FINISHED".equals(jobStatus(jobId)));
    return Path.of(URI.create(location));
  }

  /**
   * The newest completed checkpoint of the job on disk, as an operator restoring without high
   * availability finds it once the JobManager that knew the checkpoints is gone: the highest
   * {@code chk-<n>} under {@code <checkpointDir>/<job id>} holding {@code _metadata}, the file the
   * JobManager writes (and renames into place) last, when the checkpoint completes.
   */
  public Optional<Path> latestRetainedCheckpoint(String jobId) throws IOException {
    Path jobDir = checkpointDir.resolve(jobId);
    if (!Files.isDirectory(jobDir)) {
      return Optional.empty();
    }
    try (Stream<Path> checkpoints = Files.list(jobDir)) {
      return checkpoints.filter(c -> c.getFileName().toString().matches("chk-\\d+"))
          .filter(c -> Files.isRegularFile(c.resolve("_metadata")))
          .max(Comparator.comparingLong(c -> Long.parseLong(c.getFileName().toString()
              .substring("chk-".length()))));
    }
  }

  /** The job's state as the REST API reports it: RUNNING, RESTARTING, FAILED, … */
  public String jobStatus(String jobId) throws IOException, InterruptedException {
    return rest.get("/jobs/" + jobId).path("state").asText();
  }

  /** Waits until the job is RUNNING with every task of every vertex RUNNING. */
  public void awaitJobRunning(String jobId, Duration timeout) throws InterruptedException {
    await("job " + jobId + " running with all its tasks", timeout, () -> {
      JsonNode job = rest.get("/jobs/" + jobId);
      if (!"RUNNING".equals(job.path("state").asText())) {
        return false;
      }
      for (JsonNode vertex : job.path("vertices")) {
        if (!"RUNNING".equals(vertex.path("status").asText())) {
          return false;
        }
      }
      return true;
    });
  }

  /**
   * How often the job failed over since it was submitted: the entries of its exception history,
   * which the JobMaster answers itself. Not the {@code numRestarts} metric: the REST endpoint's
   * metric fetcher queries every TaskManager and starts no new round until the last one is
   * answered, and a query sent to a TaskManager in the second it is killed waits for
   * {@code web.timeout} (10 minutes), so the metric stays at its value from before the kill.
   */
  public long numRestarts(String jobId) throws IOException, InterruptedException {
    JsonNode history = rest.get("/jobs/" + jobId + "/exceptions?maxExceptions=" + MAX_FAILOVERS)
        .path("exceptionHistory");
    if (history.path("truncated").asBoolean()) {
      throw new IllegalStateException("job " + jobId + " failed over more than " + MAX_FAILOVERS
          + " times");
    }
    return history.path("entries").size();
  }

  /** Checkpoints of the job completed so far. */
  public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
    return rest.get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
  }

  /**
   * Starts the JobManager and the TaskManagers together (a TaskManager up first retries its
   * registration, {@code cluster.registration.error-delay}) and waits until all are registered.
   */
  private LocalFlinkCluster start(int taskManagerCount) throws IOException, InterruptedException {
    Runtime.getRuntime().addShutdownHook(killOnExit);
    ClusterConfiguration.write(conf, confDir);
    launchJobManager();
    for (int i = 0; i < taskManagerCount; i++) {
      taskManagers.add(launchTaskManager(taskManagers.size()));
    }
    awaitJobManager();
    awaitTaskManagers();
    return this;
  }

  /**
   * Starts a JobManager and waits until the TaskManagers alive are registered with it. After
   * {@link #killJobManager()}: a new one on the same ports; without high availability it knows no
   * jobs. A TaskManager registers with it once its heartbeat of the old one timed out
   * ({@code heartbeat.timeout}, when it also fails the old job's tasks); the old job's slots come
   * free {@code taskmanager.slot.timeout} later.
   */
  public void startJobManager() throws IOException, InterruptedException {
    startJobManager(true);
  }

  /**
   * As {@link #startJobManager()}; with {@code awaitTaskManagers} false it returns once the REST
   * API answers, and a job submitted then waits for the TaskManagers' slots (as when the job
   * comes before the TaskManagers): its jar is uploaded and its graph built meanwhile.
   */
  public void startJobManager(boolean awaitTaskManagers)
      throws IOException, InterruptedException {
    launchJobManager();
    awaitJobManager();
    if (awaitTaskManagers) {
      awaitTaskManagers();
    }
  }

  private void launchJobManager() throws IOException {
    if (jobManager != null && jobManager.isAlive()) {
      throw new IllegalStateException("the JobManager runs already (pid " + jobManager.pid() + ")");
    }
    JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
    List<String> command = javaCommand(
        JobManagerProcessUtils.generateJvmParametersStr(spec, conf), JOB_MANAGER_MAIN,
        JobManagerProcessUtils.generateDynamicConfigsStr(spec));
    jobManagersStarted++;
    jobManager = ChildProcess.start(command, logFile("jobmanager-" + jobManagersStarted),
        runDir().resolve("jobmanager.pid"), false);
  }

  /** Waits until the JobManager's REST API answers. */
  private void awaitJobManager() throws InterruptedException {
    await("the JobManager's REST API at " + restUrl(), startTimeout, () -> {
      rest.get("/overview");
      return true;
    });
  }

  /** Kills the JobManager with SIGKILL and waits until it is gone. */
  public void killJobManager() throws InterruptedException {
    kill(jobManager);
  }

  /**
   * Starts another TaskManager and waits until it is registered; returns its index for
   * {@link #killTaskManager(int)}.
   */
  public int startTaskManager() throws IOException, InterruptedException {
    int index = taskManagers.size();
    taskManagers.add(launchTaskManager(index));
    awaitTaskManagers();
    return index;
  }

  /** Kills the {@code index}-th TaskManager started (from 0) with SIGKILL, as an OOM kill does. */
  public void killTaskManager(int index) throws InterruptedException {
    kill(taskManagers.get(index));
  }

  private ChildProcess launchTaskManager(int index) throws IOException {
    TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
    List<String> command = javaCommand(ProcessMemoryUtils.generateJvmParametersStr(spec),
        TASK_MANAGER_MAIN, TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)
            + " -D taskmanager.resource-id=" + taskManagerId(index));
    return ChildProcess.start(command, logFile(taskManagerId(index)),
        runDir().resolve(taskManagerId(index) + ".pid"), false);
  }

  private static String taskManagerId(int index) {
    return "taskmanager-" + (index + 1);
  }

  /** Waits until every TaskManager alive is registered with the JobManager. */
  private void awaitTaskManagers() throws InterruptedException {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < taskManagers.size(); i++) {
      if (taskManagers.get(i).isAlive()) {
        expected.add(taskManagerId(i));
      }
    }
    await("TaskManagers " + expected + " registered", startTimeout,
        () -> rest.taskManagerIds().containsAll(expected));
  }

  private List<String> javaCommand(String jvmMemory, String mainClass, String dynamicConfigs) {
    return FlinkCommand.of(jvmMemory, mainClass, confDir, classpath, dynamicConfigs, c1Only);
  }

  private Path logFile(String name) {
    return dir.resolve("log").resolve(name + ".log");
  }

  private Path runDir() throws IOException {
    return Files.createDirectories(dir.resolve("run"));
  }

  private static void kill(ChildProcess process) throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    ProcessHandle handle = ProcessHandle.of(process.pid()).orElse(null);
    if (handle != null) {
      handle.destroyForcibly();
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("pid " + process.pid() + " did not die from SIGKILL", e);
      }
    }
  }

  /** A check for {@link #await}: true when done, false or an exception while not yet. */
  private interface Check {
    boolean done() throws Exception;
  }

  private void await(String what, Duration timeout, Check check) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (jobManager == null || !jobManager.isAlive()) {
        throw new IllegalStateException("the JobManager exited while waiting for " + what
            + "; its log:\n" + (jobManager == null ? "" : jobManager.logTail(40)));
      }
      try {
        if (check.done()) {
          return;
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for "
        + what + (last == null ? "" : " (" + last + ")") + "; JobManager log:\n"
        + jobManager.logTail(40));
  }

  /** SIGTERM, without waiting: {@link ChildProcess#stop} waits. */
  private static void terminate(ChildProcess process) {
    if (process != null && process.isAlive()) {
      ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
    }
  }

  private void killAll() {
    taskManagers.forEach(tm -> tm.stop(Duration.ZERO));
    if (jobManager != null) {
      jobManager.stop(Duration.ZERO);
    }
  }

  /**
   * Ends every process the cluster started (SIGTERM to all of them at once, SIGKILL to one still
   * alive 5 s later); keeps logs and state.
   */
  @Override
  public void close() {
    taskManagers.forEach(LocalFlinkCluster::terminate);
    terminate(jobManager);
    taskManagers.forEach(tm -> tm.stop(Duration.ofSeconds(5)));
    if (jobManager != null) {
      jobManager.stop(Duration.ofSeconds(5));
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran) already
    }
  }

  /** Builds and starts a cluster; every setting has a default that works on a laptop. */
  public static final class Builder {
    private final Path dir;
    private Path jobJar;
    private int taskManagers = 1;
    private int slotsPerTaskManager = 2;
    private Duration startTimeout = Duration.ofSeconds(90);
    private boolean c1Only = true;
    private final Map<String, String> settings = new TreeMap<>();
    private final Set<String> unset = new TreeSet<>();

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
    }

    /** The job jar the cluster will run: what it bundles stays off the cluster's class path. */
    public Builder jobJar(Path jar) {
      this.jobJar = jar;
      return this;
    }

    public Builder taskManagers(int count) {
      this.taskManagers = count;
      return this;
    }

    public Builder slotsPerTaskManager(int slots) {
      this.slotsPerTaskManager = slots;
      return this;
    }

    /** How long a JobManager or TaskManager may take to start (default 90 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Any Flink setting for {@code config.yaml}; wins over the cluster's defaults. */
    public Builder set(String key, String value) {
      settings.put(key, value);
      unset.remove(key);
      return this;
    }

    /** Leaves a setting of the cluster's defaults out, e.g. the checkpoint interval (none). */
    public Builder unset(String key) {
      settings.remove(key);
      unset.add(key);
      return this;
    }

    /**
     * The JVM's whole JIT (C1, then C2) in the JobManager and TaskManagers, for throughput
     * measurements. Without it they stop at C1, which starts quickest and is enough for tests.
     */
    public Builder fullJit() {
      this.c1Only = false;
      return this;
    }

    /** Validates, writes the configuration and starts the processes; closes them on failure. */
    public LocalFlinkCluster start() throws IOException, InterruptedException {
      if (taskManagers < 1 || slotsPerTaskManager < 1) {
        throw new IllegalArgumentException("need at least one TaskManager with one slot, got "
            + taskManagers + " × " + slotsPerTaskManager);
      }
      if (jobJar != null && !Files.isRegularFile(jobJar)) {
        throw new IllegalArgumentException("no job jar at " + jobJar);
      }
      LocalFlinkCluster cluster = new LocalFlinkCluster(this);
      try {
        return cluster.start(taskManagers);
      } catch (IOException | InterruptedException | RuntimeException | Error e) {
        cluster.close();
        throw e;
      }
    }
  }
}
