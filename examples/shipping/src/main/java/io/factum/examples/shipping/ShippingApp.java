package io.factum.examples.shipping;

import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandHandler;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.kafka.InboxHandler;
import io.factum.kafka.KafkaInbox;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The shipping service: a store of its own (SQLite), shipments decided by {@link Shipment}, and an inbox
 * that consumes the ordering context's public events from Kafka and sends them, translated ({@link
 * OrderingTranslation}), to its command bus. Each public event becomes a command whose id is derived from
 * the event id ({@link io.factum.kafka.InboxMessage#commandId()}), so a redelivered event is answered with
 * the first result and writes nothing: the deduplication is the store's idempotent append, atomic with the
 * shipment's events.
 */
public final class ShippingApp implements AutoCloseable {

    /** The topic the orders system publishes its public events to. */
    public static final String TOPIC = "ordering.public";

    /** The inbox's name, also its Kafka consumer group. */
    public static final String INBOX = "shipping";

    private final SqliteEventStore store;
    private final DeciderRepository<Shipment.Command, Shipment.Event, Shipment.State> shipments;
    private final KafkaInbox inbox;

    private ShippingApp(Path storeFile, String bootstrapServers) {
        this.store = SqliteEventStore.open(storeFile);
        try {
            EventSerializer serializer = EventSerializer.of(
                    EventTypes.builder().registerSealed(Shipment.Event.class).build());
            this.shipments = DeciderRepository.builder(
                            store,
                            serializer,
                            "shipment",
                            Decider.of(Shipment::initial, Shipment::decide, Shipment::evolve),
                            Shipment.Event.class)
                    .build();
            CommandHandler<Shipment.Command> decide = CommandHandler.decide(
                    shipments, command -> command.orderId().toString());
            CommandBus bus = CommandBus.builder()
                    .rejection(Shipment.NotAllowed.class)
                    .handle(Shipment.Open.class, decide)
                    .handle(Shipment.HandOver.class, decide)
                    .handle(Shipment.Cancel.class, decide)
                    .expectHandlersFor(Shipment.Command.class)
                    .build();
            this.inbox = KafkaInbox.builder(
                            INBOX,
                            store,
                            store.checkpoints(),
                            bootstrapServers,
                            List.of(TOPIC),
                            InboxHandler.commands(bus, OrderingTranslation::toCommand))
                    .start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Opens the store at {@code storeFile} and starts consuming from the Kafka cluster at {@code bootstrapServers}. */
    public static ShippingApp start(Path storeFile, String bootstrapServers) {
        return new ShippingApp(storeFile, bootstrapServers);
    }

    /** The shipment of an order as it is now. */
    public Shipment.State shipment(UUID orderId) {
        return shipments.load(orderId.toString()).state();
    }

    /** The inbox: its status and parked records (register it with Factum's admin pages as a subscription). */
    public KafkaInbox inbox() {
        return inbox;
    }

    /** The service's own store. */
    public SqliteEventStore store() {
        return store;
    }

    @Override
    public void close() {
        inbox.close();
        store.close();
    }
}
