package io.factum.examples.orders.published;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.ordering.OrderEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PublicationTest {

    static final EventSerializer PRIVATE = OrdersApp.eventSerializer();

    final EventStore store = EventStore.inMemory();
    final Publication publication = new Publication(store, PRIVATE);

    @AfterEach
    void close() {
        store.close();
    }

    /** Records {@code event} in its order's stream and returns it as read back. */
    RecordedEvent recorded(UUID order, OrderEvent event) {
        store.append(
                "order-" + order,
                ExpectedVersion.any(),
                PRIVATE.serialize(
                        event, UUID.randomUUID(), EventMetadata.startingWith(UUID.randomUUID(), Instant.EPOCH)));
        return store.readStream("order-" + order, ReadDirection.BACKWARD, io.factum.core.StreamSlice.END, 1)
                .events()
                .get(0);
    }

    List<String> published() {
        return store.readStream(PublishedOrderEvent.STREAM, ReadDirection.FORWARD, 0, 100).events().stream()
                .map(RecordedEvent::type)
                .toList();
    }

    @Nested
    class A_batch {

        @Test
        void publishes_the_translations_of_its_events_and_keeps_private_events_private() throws Exception {
            UUID order = UUID.randomUUID();
            List<RecordedEvent> batch = List.of(
                    recorded(order, new OrderEvent.OrderCreated(order, UUID.randomUUID())),
                    recorded(order, new OrderEvent.OrderConfirmed(order, UUID.randomUUID(), new BigDecimal("10.00"))),
                    recorded(order, new OrderEvent.OrderShipped(order, "TRACK-1")));

            publication.handleAll(batch);

            assertThat(published()).containsExactly("ordering.OrderPlaced", "ordering.OrderFulfilled");
        }

        @Test
        void delivered_again_in_part_after_a_crash_publishes_each_event_once() throws Exception {
            UUID first = UUID.randomUUID();
            UUID second = UUID.randomUUID();
            RecordedEvent confirmed =
                    recorded(first, new OrderEvent.OrderConfirmed(first, UUID.randomUUID(), new BigDecimal("10.00")));
            RecordedEvent shipped = recorded(first, new OrderEvent.OrderShipped(first, "TRACK-1"));
            RecordedEvent cancelled = recorded(second, new OrderEvent.OrderCancelled(second, "changed my mind"));
            publication.handleAll(List.of(confirmed));

            // the batch read again overlaps what was published in part: the store refuses it as a whole
            publication.handleAll(List.of(confirmed, shipped, cancelled));
            publication.handleAll(List.of(confirmed, shipped, cancelled));

            assertThat(published())
                    .containsExactly("ordering.OrderPlaced", "ordering.OrderFulfilled", "ordering.OrderWithdrawn");
        }
    }
}
