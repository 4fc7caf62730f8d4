package io.factum.examples.orders.published;

import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.Envelope;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.core.subscription.BatchHandler;
import io.factum.examples.orders.ordering.OrderEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Translates private order events into {@link PublishedOrderEvent}s and appends them to {@link
 * PublishedOrderEvent#STREAM}, from which the http module's feed can serve them. Run as an at-least-once
 * {@link io.factum.core.subscription.Subscription#batchHandler}: the translations of a batch go to the
 * store in one append (one commit for the batch, not one per event), and each published event's id is
 * derived from the private event's id, so a redelivered event is recognised by the store and published
 * once. A batch redelivered after a crash may overlap what was published only in part, which the store
 * refuses as a whole; then each translation is appended on its own and those stored already are skipped.
 */
public final class Publication implements BatchHandler {

    /** The serializer of the public contract, apart from the private events' one. */
    public static final EventSerializer SERIALIZER = EventSerializer.of(
            EventTypes.builder().registerSealed(PublishedOrderEvent.class).build());

    private final EventStore store;
    private final EventSerializer privateEvents;

    public Publication(EventStore store, EventSerializer privateEvents) {
        this.store = store;
        this.privateEvents = privateEvents;
    }

    /** The events it reads. */
    public static EventFilter filter() {
        return EventFilter.categories("order").andEventTypes("OrderConfirmed", "OrderShipped", "OrderCancelled");
    }

    /** The public event a private one stands for, if any: most private events stay private. */
    public static Optional<PublishedOrderEvent> translate(OrderEvent event) {
        return switch (event) {
            case OrderEvent.OrderConfirmed confirmed ->
                Optional.of(new PublishedOrderEvent.OrderPlaced(
                        confirmed.orderId(), confirmed.customerId(), confirmed.totalAmount()));
            case OrderEvent.OrderShipped shipped ->
                Optional.of(new PublishedOrderEvent.OrderFulfilled(shipped.orderId(), shipped.trackingNumber()));
            case OrderEvent.OrderCancelled cancelled ->
                Optional.of(new PublishedOrderEvent.OrderWithdrawn(cancelled.orderId(), cancelled.reason()));
            default -> Optional.empty();
        };
    }

    @Override
    public void handleAll(List<RecordedEvent> events) {
        List<EventData> published = new ArrayList<>();
        for (RecordedEvent recorded : events) {
            for (Envelope<OrderEvent> envelope : privateEvents.deserialize(recorded, OrderEvent.class)) {
                translate(envelope.event()).ifPresent(event -> {
                    UUID id = UUID.nameUUIDFromBytes(
                            ("published:" + recorded.eventId()).getBytes(StandardCharsets.UTF_8));
                    published.add(SERIALIZER.serialize(event, id, envelope.metadata()));
                });
            }
        }
        if (published.isEmpty()) {
            return;
        }
        try {
            store.append(PublishedOrderEvent.STREAM, ExpectedVersion.any(), published);
        } catch (DuplicateEventException partlyPublished) {
            // a redelivery after a crash: the store keeps event ids unique, so what it has was published
            for (EventData event : published) {
                try {
                    store.append(PublishedOrderEvent.STREAM, ExpectedVersion.any(), List.of(event));
                } catch (DuplicateEventException alreadyPublished) {
                    // published before
                }
            }
        }
    }
}
