package io.memfleet.pipeline.forensics;

import io.memfleet.event.OomSnapshot;
import io.memfleet.pipeline.PipelineExtension;
import io.memfleet.pipeline.PipelineStreams;
import io.memfleet.pipeline.clickhouse.Rows;
import io.memfleet.pipeline.outputs.Output;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * OOM forensics on the joined stream: {@link OomForensicsFunction} per victim → output
 * {@link #OOM_SNAPSHOTS} (in production the OOM-snapshot topic, Kafka Avro, and ClickHouse's
 * {@code oom_snapshots} table). Listed in
 * {@code META-INF/services/io.memfleet.pipeline.PipelineExtension}; settings in
 * {@link ForensicsOptions}.
 *
 * <pre>{@code
 * MemfleetJob.builder(conf)...extension(new ForensicsExtension(Map.of()))
 *     .sink(ForensicsExtension.OOM_SNAPSHOTS, testSink).build();
 * }</pre>
 */
public final class ForensicsExtension implements PipelineExtension {
  /** One snapshot per OOM kill: the victim's last seconds and the pool that grew. */
  public static final Output<OomSnapshot> OOM_SNAPSHOTS = Output.topicAndTable("oom_snapshots",
      Rows::oomSnapshot, s -> s.getKillUtcNs() / 1_000_000L, OomSnapshot::getProcess);

  private final Map<String, String> environment;

  /** Production: settings from the job's options, then the environment's variables. */
  public ForensicsExtension() {
    this(System.getenv());
  }

  /** Settings from the job's options, then {@code environment}'s variables. */
  public ForensicsExtension(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return ForensicsOptions.all();
  }

  @Override
  public void attach(PipelineStreams streams) {
    Configuration conf = ForensicsOptions.resolve(streams.options(), environment);
    if (!conf.get(ForensicsOptions.ENABLED)) {
      return;
    }
    DataStream<OomSnapshot> snapshots = PipelineStreams
        .byProcess(streams.joined(), OomForensicsFunction::victim)
        .process(new OomForensicsFunction(conf.get(ForensicsOptions.WINDOW),
            conf.get(ForensicsOptions.SLACK), conf.get(ForensicsOptions.MAX_EVENTS),
            conf.get(ForensicsOptions.EXIT_GRACE), conf.get(ForensicsOptions.IDLE_TIMEOUT),
            conf.get(ForensicsOptions.ARM_AT)),
            TypeInformation.of(OomSnapshot.class))
        .name("oom-forensics").uid("forensics-oom");
    streams.emit(OOM_SNAPSHOTS, snapshots, conf.get(ForensicsOptions.TOPIC));
  }
}
