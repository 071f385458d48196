package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.schema.kafka.KafkaSecurity;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher's Kafka commands take the shared security options, and never a password. */
class KafkaCommandsSecurityTest {

  @Test
  void watchAndRecordTakeTheSharedSecurityOptions() {
    List<String> args = List.of("--kafka-security-protocol", "SASL_SSL",
        "--kafka-username", "launcher", "--kafka-password-file", "/run/secrets/kafka",
        "--kafka-ca-file", "/run/ca.pem");
    WatchCommand watch = new WatchCommand();
    new CommandLine(watch).parseArgs(args.toArray(String[]::new));
    RecordCommand record = new RecordCommand();
    new CommandLine(record).parseArgs(concat(args, "out.mftrace"));
    for (KafkaSecurity s : List.of(watch.kafkaSecurity.security(),
        record.kafkaSecurity.security())) {
      assertThat(s.protocol()).isEqualTo(KafkaSecurity.Protocol.SASL_SSL);
      assertThat(s.username()).isEqualTo("launcher");
      assertThat(s.passwordFile()).isEqualTo("/run/secrets/kafka");
      assertThat(s.caFile()).isEqualTo("/run/ca.pem");
    }
  }

  @Test
  void everyKafkaCommandHasTheSecurityOptionsAndNoCommandTakesAPassword() {
    CommandLine memfleet = Memfleet.commandLine();
    for (String kafkaCommand : List.of("watch", "record", "collect", "ebpf", "jfr-remote")) {
      assertThat(memfleet.getSubcommands()).containsKey(kafkaCommand);
      assertThat(memfleet.getSubcommands().get(kafkaCommand).getCommandSpec().optionsMap())
          .as(kafkaCommand).containsKeys("--kafka-security-protocol", "--kafka-username",
              "--kafka-password-file", "--kafka-password-env", "--kafka-ca-file");
    }
    memfleet.getSubcommands().forEach((name, command) ->
        assertThat(command.getCommandSpec().optionsMap().keySet()).as(name)
            .noneMatch(option -> option.matches("--(kafka-|clickhouse-)?password")));
  }

  private static String[] concat(List<String> args, String last) {
    String[] all = args.toArray(new String[args.size() + 1]);
    all[args.size()] = last;
    return all;
  }
}
