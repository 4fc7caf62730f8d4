package io.factum.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.ExpectedVersion;
import io.factum.core.StoreOptions;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandLog;
import io.factum.core.command.Deduplication;
import io.factum.core.process.DeadlineScheduler;
import io.factum.core.process.ProcessManager;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.core.subscription.Subscription;
import io.factum.testkit.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A process manager on the SQLite store across a restart: its state, its subscription's checkpoint and its
 * deadline are in the file, so a deadline whose time passed while the application was down fires once it
 * runs again, and a redelivered event sends nothing twice.
 */
class SqliteProcessRestartTest {

    sealed interface OrderEvent {}

    record OrderConfirmed(String orderId) implements OrderEvent {}

    record RequestPayment(String orderId) {}

    record CancelOrder(String orderId) {}

    record Waiting(boolean requested) {}

    final Path file = SqliteStoreFixture.newFile();
    final TestClock clock = TestClock.standard();
    final EventSerializer serializer = EventSerializer.of(
            EventTypes.builder().registerSealed(OrderEvent.class).build());
    final List<Object> sent = new CopyOnWriteArrayList<>();

    /** One run of the application: store, bus, process manager, subscription and deadline scheduler. */
    final class App implements AutoCloseable {
        final SqliteStore store = SqliteStore.open(file, StoreOptions.defaults().withClock(clock));
        final CommandBus bus = CommandBus.builder()
                .use(Deduplication.middleware(CommandLog.inEventStore(store), RequestPayment.class, CancelOrder.class))
                .handle(RequestPayment.class, (c, ctx) -> sent(c))
                .handle(CancelOrder.class, (c, ctx) -> sent(c))
                .build();
        final ProcessManager<Waiting, OrderEvent> payments = ProcessManager.builder(
                        "payments", OrderEvent.class, Waiting.class, () -> new Waiting(false))
                .correlateBy(e -> Optional.of(((OrderConfirmed) e.event()).orderId()))
                .on((state, event, actions) -> {
                    actions.send(new RequestPayment(((OrderConfirmed) event.event()).orderId()));
                    actions.schedule("payment-timeout", Duration.ofMinutes(15), "{}");
                    return new Waiting(true);
                })
                .onDeadline((state, deadline, actions) -> {
                    actions.send(new CancelOrder(deadline.correlationId()));
                    actions.complete();
                    return state;
                })
                .filter(io.factum.core.EventFilter.categories("order"))
                .wiring(store, serializer, bus, store.deadlines())
                .clock(clock)
                .build();
        final Subscription subscription = Subscription.handler(
                        "payments", store, store.checkpoints(), payments.handler())
                .filter(payments.filter())
                .start();
        final DeadlineScheduler scheduler = new DeadlineScheduler(store.deadlines(), clock, List.of(payments));

        boolean sent(Object command) {
            return SqliteProcessRestartTest.this.sent.add(command);
        }

        @Override
        public void close() {
            scheduler.close();
            subscription.close();
            store.close();
        }
    }

    @Test
    void a_deadline_that_passed_while_the_application_was_down_fires_when_it_runs_again() throws Exception {
        try (App first = new App()) {
            var appended = first.store.append(
                    "order-42",
                    ExpectedVersion.noStream(),
                    serializer.serialize(
                            new OrderConfirmed("42"),
                            UUID.randomUUID(),
                            EventMetadata.startingWith(UUID.randomUUID(), clock.instant())));
            assertThat(first.subscription.awaitPosition(appended.position(), Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(sent).containsExactly(new RequestPayment("42"));
        }

        // down for an hour
        clock.advance(Duration.ofHours(1));

        try (App second = new App()) {
            assertThat(second.payments.state("42")).contains(new Waiting(true));
            assertThat(second.scheduler.fireDue()).isEqualTo(1);
            assertThat(second.scheduler.fireDue()).isZero();
            assertThat(second.payments.completed("42")).isTrue();
        }
        assertThat(sent).containsExactly(new RequestPayment("42"), new CancelOrder("42"));
    }
}
