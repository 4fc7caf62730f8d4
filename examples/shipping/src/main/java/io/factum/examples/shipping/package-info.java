/**
 * A second service beside the orders system: it keeps shipments, learns of orders only from the ordering
 * context's public events on Kafka (topic {@code ordering.public}), which a {@link io.factum.kafka.KafkaInbox}
 * turns into its own commands ({@link io.factum.examples.shipping.OrderingTranslation}, the anti-corruption
 * layer), and writes its own events into a store of its own.
 */
@NullMarked
package io.factum.examples.shipping;

import org.jspecify.annotations.NullMarked;
