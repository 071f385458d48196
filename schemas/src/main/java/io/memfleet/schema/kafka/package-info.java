/**
 * Kafka client security shared by every memfleet component: {@link
 * io.memfleet.schema.kafka.KafkaSecurity} turns the {@code MEMFLEET_KAFKA_*} security settings into
 * client properties, {@link io.memfleet.schema.kafka.KafkaPasswordCallbackHandler} supplies the
 * password at login from a file or variable.
 *
 * <p>Compiled against {@code kafka-clients} as a provided dependency: a module using this package
 * has its own Kafka client on the class path.
 */
package io.memfleet.schema.kafka;
