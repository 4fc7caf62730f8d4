/**
 * Factum and Apache Kafka: {@link io.factum.kafka.KafkaRelay} publishes chosen events of the store to Kafka
 * topics in order per stream, moving its checkpoint only after the broker acknowledged them; {@link
 * io.factum.kafka.KafkaInbox} consumes records from Kafka and hands them to a command bus or a handler,
 * deduplicated by event id in the store. See docs/integration.md.
 */
@NullMarked
package io.factum.kafka;

import org.jspecify.annotations.NullMarked;
