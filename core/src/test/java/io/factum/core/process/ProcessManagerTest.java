package io.factum.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.RecordedEvent;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandLog;
import io.factum.core.command.Deduplication;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProcessManagerTest {

    sealed interface OrderEvent {}

    record OrderConfirmed(String orderId) implements OrderEvent {}

    record PaymentApproved(String orderId) implements OrderEvent {}

    record RequestPayment(String orderId) {}

    record ShipOrder(String orderId) {}

    record CancelOrder(String orderId, String reason) {}

    record Payment(String status) {}

    static final class Clockwork extends Clock {
        volatile Instant now = Instant.parse("2026-03-01T10:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    final Clockwork clock = new Clockwork();
    final EventStore store = EventStore.inMemory();
    final EventSerializer serializer = EventSerializer.of(
            EventTypes.builder().registerSealed(OrderEvent.class).build());
    final DeadlineStore deadlines = DeadlineStore.inMemory();
    final List<Object> sent = new CopyOnWriteArrayList<>();
    final CommandBus bus = CommandBus.builder()
            .use(Deduplication.middleware(
                    CommandLog.inMemory(), RequestPayment.class, ShipOrder.class, CancelOrder.class))
            .handle(RequestPayment.class, (c, ctx) -> record(c, c.orderId()))
            .handle(ShipOrder.class, (c, ctx) -> record(c, c.orderId()))
            .handle(CancelOrder.class, (c, ctx) -> record(c, c.orderId()))
            .build();

    final ProcessManager<Payment, OrderEvent> payments = ProcessManager.builder(
                    "payments", OrderEvent.class, Payment.class, () -> new Payment("none"))
            .correlateBy(event -> Optional.of(
                    switch (event.event()) {
                        case OrderConfirmed e -> e.orderId();
                        case PaymentApproved e -> e.orderId();
                    }))
            .on((state, event, actions) -> switch (event.event()) {
                case OrderConfirmed e -> {
                    actions.send(new RequestPayment(e.orderId()));
                    actions.schedule("payment-timeout", Duration.ofMinutes(15), "{}");
                    yield new Payment("requested");
                }
                case PaymentApproved e -> {
                    actions.cancel("payment-timeout");
                    actions.send(new ShipOrder(e.orderId()));
                    actions.complete();
                    yield new Payment("approved");
                }
            })
            .onDeadline((state, deadline, actions) -> {
                actions.send(new CancelOrder(deadline.correlationId(), "payment not answered in time"));
                actions.complete();
                return new Payment("timed out");
            })
            .wiring(store, serializer, bus, deadlines)
            .clock(clock)
            .build();

    final DeadlineScheduler scheduler = new DeadlineScheduler(deadlines, clock, List.of(payments));

    boolean record(Object command, String orderId) {
        return sent.add(command);
    }

    @AfterEach
    void close() {
        scheduler.close();
        store.close();
    }

    RecordedEvent emit(String orderId, OrderEvent event) {
        store.append(
                "order-" + orderId,
                ExpectedVersion.any(),
                serializer.serialize(
                        event, UUID.randomUUID(), EventMetadata.startingWith(UUID.randomUUID(), clock.instant())));
        return store.readStream(
                        "order-" + orderId, io.factum.core.ReadDirection.BACKWARD, io.factum.core.StreamSlice.END, 1)
                .events()
                .get(0);
    }

    @Nested
    class Batches {

        @Test
        void handle_the_instances_of_a_batch_side_by_side_each_in_its_own_order() {
            List<RecordedEvent> batch = new java.util.ArrayList<>();
            for (int order = 0; order < 6; order++) {
                batch.add(emit("o" + order, new OrderConfirmed("o" + order)));
            }
            for (int order = 0; order < 6; order++) {
                batch.add(emit("o" + order, new PaymentApproved("o" + order)));
            }

            assertThatNoException(() -> payments.batchHandler().handleAll(batch));

            for (int order = 0; order < 6; order++) {
                String id = "o" + order;
                assertThat(payments.completed(id)).as("instance %s", id).isTrue();
                assertThat(sent.stream()
                                .filter(c -> c.equals(new RequestPayment(id)) || c.equals(new ShipOrder(id)))
                                .toList())
                        .as("the commands of instance %s, in the order of its events", id)
                        .containsExactly(new RequestPayment(id), new ShipOrder(id));
            }
            assertThat(deadlines.pending("payments")).isEmpty();
        }

        @Test
        void a_batch_delivered_again_sends_nothing_more() {
            List<RecordedEvent> batch = List.of(
                    emit("1", new OrderConfirmed("1")),
                    emit("2", new OrderConfirmed("2")),
                    emit("1", new PaymentApproved("1")));
            assertThatNoException(() -> payments.batchHandler().handleAll(batch));
            List<Object> first = List.copyOf(sent);

            assertThatNoException(() -> payments.batchHandler().handleAll(batch));

            assertThat(sent).containsExactlyElementsOf(first).hasSize(3);
        }

        private void assertThatNoException(org.assertj.core.api.ThrowableAssert.ThrowingCallable callable) {
            org.assertj.core.api.Assertions.assertThatNoException().isThrownBy(callable);
        }
    }

    @Nested
    class Reacting {

        @Test
        void sends_commands_and_schedules_a_deadline_for_its_instance() {
            payments.handle(emit("42", new OrderConfirmed("42")));
            assertThat(sent).containsExactly(new RequestPayment("42"));
            assertThat(payments.state("42")).contains(new Payment("requested"));
            List<Deadline> pending = deadlines.pending("payments");
            assertThat(pending).hasSize(1);
            assertThat(pending.get(0).name()).isEqualTo("payment-timeout");
            assertThat(pending.get(0).dueAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        }

        @Test
        void an_event_delivered_again_changes_nothing_and_sends_nothing() {
            RecordedEvent confirmed = emit("42", new OrderConfirmed("42"));
            payments.handle(confirmed);
            payments.handle(confirmed);
            assertThat(sent).containsExactly(new RequestPayment("42"));
            assertThat(store.readStream(payments.streamOf("42"), io.factum.core.ReadDirection.FORWARD, 0, 10)
                            .events())
                    .hasSize(1);
        }

        @Test
        void the_approved_payment_cancels_the_deadline_and_completes() {
            payments.handle(emit("42", new OrderConfirmed("42")));
            payments.handle(emit("42", new PaymentApproved("42")));
            assertThat(sent).containsExactly(new RequestPayment("42"), new ShipOrder("42"));
            assertThat(deadlines.pending("payments")).isEmpty();
            assertThat(payments.completed("42")).isTrue();
            clock.now = clock.now.plus(Duration.ofHours(1));
            assertThat(scheduler.fireDue()).isZero();
        }

        @Test
        void events_of_one_instance_from_different_streams_may_come_in_any_order() {
            // a consumer group may handle the later event of another stream first
            RecordedEvent first = emit("42", new OrderConfirmed("42"));
            store.append(
                    "billing-42",
                    ExpectedVersion.any(),
                    serializer.serialize(
                            new OrderConfirmed("42"),
                            UUID.randomUUID(),
                            EventMetadata.startingWith(UUID.randomUUID(), clock.instant())));
            RecordedEvent later = store.readStream("billing-42", io.factum.core.ReadDirection.FORWARD, 0, 1)
                    .events()
                    .get(0);
            payments.handle(later);
            payments.handle(first);
            payments.handle(later);
            assertThat(sent).containsExactly(new RequestPayment("42"), new RequestPayment("42"));
        }

        @Test
        void runs_in_a_subscription() throws Exception {
            try (Subscription subscription = Subscription.handler(
                            "payments", store, CheckpointStore.inMemory(), payments.handler())
                    .filter(payments.filter())
                    .start()) {
                RecordedEvent confirmed = emit("7", new OrderConfirmed("7"));
                assertThat(subscription.awaitPosition(confirmed.position(), Duration.ofSeconds(10)))
                        .isTrue();
            }
            assertThat(sent).containsExactly(new RequestPayment("7"));
        }
    }

    @Nested
    class Deadlines {

        @Test
        void a_deadline_fires_when_its_time_has_passed() {
            payments.handle(emit("42", new OrderConfirmed("42")));
            clock.now = clock.now.plus(Duration.ofMinutes(14));
            assertThat(scheduler.fireDue()).isZero();
            clock.now = clock.now.plus(Duration.ofMinutes(1));
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(sent)
                    .containsExactly(new RequestPayment("42"), new CancelOrder("42", "payment not answered in time"));
            assertThat(payments.state("42")).contains(new Payment("timed out"));
            assertThat(deadlines.pending("payments")).isEmpty();
        }

        @Test
        void a_deadline_fired_twice_is_handled_once() {
            payments.handle(emit("42", new OrderConfirmed("42")));
            Deadline due = deadlines.pending("payments").get(0);
            clock.now = due.dueAt();
            payments.fire(due);
            payments.fire(due);
            assertThat(sent)
                    .containsExactly(new RequestPayment("42"), new CancelOrder("42", "payment not answered in time"));
        }

        @Test
        void a_deadline_of_another_process_manager_is_refused() {
            Deadline foreign = new Deadline(UUID.randomUUID(), "shipping", "42", "x", clock.instant(), "{}");
            assertThatThrownBy(() -> payments.fire(foreign))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("process manager payments got a deadline of shipping");
        }

        @Test
        void a_late_event_after_completion_is_ignored() {
            payments.handle(emit("42", new OrderConfirmed("42")));
            clock.now = clock.now.plus(Duration.ofMinutes(20));
            scheduler.fireDue();
            payments.handle(emit("42", new PaymentApproved("42")));
            assertThat(sent).doesNotContain(new ShipOrder("42"));
        }
    }
}
