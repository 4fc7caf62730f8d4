package io.factum.examples.orders.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.Subscription;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand.ForgetCustomer;
import io.factum.examples.orders.customers.CustomerCommand.MoveHouse;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.customers.CustomerEvent;
import io.factum.examples.orders.customers.CustomerEvent.CustomerForgotten;
import io.factum.examples.orders.customers.CustomerEvent.CustomerMovedHouse;
import io.factum.examples.orders.customers.CustomerEvent.CustomerRegistered;
import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.CustomerDirectory;
import io.factum.examples.orders.readmodel.CustomerView;
import io.factum.examples.orders.readmodel.OrderSummaries;
import io.factum.examples.orders.readmodel.OrderSummary;
import io.factum.store.sqlite.SqliteEventStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GDPR erasure by crypto-shredding, end to end on a SQLite file: register, order, forget. */
class ForgettingACustomerTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final String NAME = "Ada Lovelace";
    static final String EMAIL = "ada@example.com";
    static final Address HOME = new Address("1 Analytical Way", "London", "N1 1AA", "GB");
    static final Address NEW_HOME = new Address("12 Engine Street", "Leeds", "LS1 4AP", "GB");

    @TempDir
    Path dir;

    UUID customerId = UUID.randomUUID();
    UUID orderId = UUID.randomUUID();

    OrdersApp start() {
        return OrdersApp.builder().sqlite(dir.resolve("orders.db")).start();
    }

    static CommandResult.Accepted accepted(CommandResult result) {
        assertThat(result).isInstanceOf(CommandResult.Accepted.class);
        return (CommandResult.Accepted) result;
    }

    /** Registers Ada, moves her house and places a pending order of two books. */
    void registerAndOrder(OrdersApp app) {
        accepted(app.send(new RegisterCustomer(customerId, NAME, EMAIL, HOME)));
        accepted(app.send(new MoveHouse(customerId, NEW_HOME)));
        accepted(app.send(new CreateOrder(orderId, customerId)));
        accepted(app.send(new AddItem(orderId, "BOOK-1", 2, new BigDecimal("12.50"))));
    }

    static List<RecordedEvent> stream(EventStore store, String streamId) {
        return store.readStream(streamId, ReadDirection.FORWARD, 0, 100).events();
    }

    List<RecordedEvent> customerStream(EventStore store) {
        return stream(store, "customer-" + customerId);
    }

    static <E> List<E> history(EventStore store, EventSerializer serializer, String streamId, Class<E> type) {
        return stream(store, streamId).stream()
                .flatMap(recorded -> serializer.deserializeEvents(recorded, type).stream())
                .toList();
    }

    List<CustomerEvent> customerHistory(OrdersApp app) {
        return history(app.store(), app.serializer(), "customer-" + customerId, CustomerEvent.class);
    }

    CustomerView customerView(OrdersApp app, CommandResult.Accepted after) {
        return app.customerDirectory()
                .query(after.position(), WAIT, CustomerDirectory.byId(customerId))
                .orElseThrow();
    }

    @Nested
    class Before_forgetting {

        @Test
        void the_stored_events_hold_no_personal_data_in_the_clear() {
            try (OrdersApp app = start()) {
                registerAndOrder(app);

                List<RecordedEvent> stored = customerStream(app.store());
                assertThat(stored).hasSize(2);
                for (RecordedEvent event : stored) {
                    assertThat(event.data())
                            .doesNotContain(NAME, EMAIL, "Analytical", "London", "Engine Street", "Leeds")
                            .contains(CryptoShredder.ENCRYPTED_FIELD, customerId.toString());
                }
            }
        }

        @Test
        void the_app_reads_the_personal_data_back() {
            try (OrdersApp app = start()) {
                registerAndOrder(app);

                assertThat(customerHistory(app))
                        .containsExactly(
                                new CustomerRegistered(customerId, NAME, EMAIL, HOME),
                                new CustomerMovedHouse(customerId, NEW_HOME));
                CommandResult.Accepted moved = accepted(app.send(new MoveHouse(customerId, HOME)));
                CustomerView view = customerView(app, moved);
                assertThat(view.name()).isEqualTo(NAME);
                assertThat(view.address()).isEqualTo(HOME);
                assertThat(app.subjectKeys().key(customerId.toString())).isPresent();
            }
        }
    }

    @Nested
    class After_forgetting {

        CommandResult.Accepted forgotten;

        @BeforeEach
        void forget() {
            try (OrdersApp app = start()) {
                registerAndOrder(app);
                forgotten = accepted(app.send(new ForgetCustomer(customerId)));
            }
        }

        @Test
        void the_key_is_gone_and_the_history_reads_erased_while_ids_and_orders_stay() {
            try (OrdersApp app = start()) {
                assertThat(app.subjectKeys().forgotten(customerId.toString())).isTrue();
                assertThat(app.subjectKeys().key(customerId.toString())).isEmpty();

                assertThat(customerHistory(app))
                        .containsExactly(
                                new CustomerRegistered(
                                        customerId, CryptoShredder.ERASED, CryptoShredder.ERASED, Address.ERASED),
                                new CustomerMovedHouse(customerId, Address.ERASED),
                                new CustomerForgotten(customerId));
                assertThat(history(app.store(), app.serializer(), "order-" + orderId, OrderEvent.class))
                        .containsExactly(
                                new OrderEvent.OrderCreated(orderId, customerId),
                                new OrderEvent.ItemAdded(orderId, "BOOK-1", 2, new BigDecimal("12.50")));
                OrderSummary summary =
                        app.orderSummaries().query(OrderSummaries.byId(orderId)).orElseThrow();
                assertThat(summary.customerId()).isEqualTo(customerId);
                assertThat(summary.totalAmount()).isEqualByComparingTo("25.00");
            }
        }

        @Test
        void the_customer_read_model_shows_erased_at_once() {
            try (OrdersApp app = start()) {
                assertErased(customerView(app, forgotten));
            }
        }

        @Test
        void the_customer_read_model_shows_erased_after_a_rebuild_from_scratch() throws Exception {
            // a new version of the read model replays the whole log into new tables
            try (SqliteEventStore store = SqliteEventStore.open(dir.resolve("orders.db"))) {
                EventSerializer serializer = OrdersApp.eventSerializer(store.subjectKeys());
                try (ProjectionSubscription rebuilt = Subscription.sqlProjection(
                                store, store.checkpoints(), new CustomerDirectory(serializer, 2))
                        .start()) {
                    assertThat(rebuilt.awaitPosition(store.headPosition(), WAIT))
                            .isTrue();
                    assertThat(rebuilt.active().version()).isEqualTo(2);
                    assertErased(
                            rebuilt.query(CustomerDirectory.byId(customerId)).orElseThrow());
                }
            }
        }

        @Test
        void registering_the_forgotten_customer_id_again_is_refused() {
            try (OrdersApp app = start()) {
                CommandResult result = app.send(new RegisterCustomer(customerId, NAME, EMAIL, HOME));

                assertThat(result).isInstanceOf(CommandResult.Rejected.class);
                CommandResult.Rejected rejected = (CommandResult.Rejected) result;
                assertThat(rejected.rule()).isEqualTo("customer-forgotten");
                assertThat(rejected.message())
                        .isEqualTo("customer " + customerId + " was forgotten and cannot be registered again under"
                                + " the same id; register them as a new customer with a new id");
                assertThat(customerStream(app.store())).hasSize(3);
            }
        }

        @Test
        void forgetting_again_records_nothing() {
            try (OrdersApp app = start()) {
                CommandResult.Accepted again = accepted(app.send(new ForgetCustomer(customerId)));

                assertThat(again.eventCount()).isZero();
                assertThat(customerStream(app.store())).hasSize(3);
            }
        }

        void assertErased(CustomerView view) {
            assertThat(view.name()).isEqualTo(CryptoShredder.ERASED);
            assertThat(view.email()).isEqualTo(CryptoShredder.ERASED);
            assertThat(view.address()).isEqualTo(Address.ERASED);
            assertThat(view.forgotten()).isTrue();
            assertThat(view.orders()).containsExactly(new CustomerView.Order(orderId, OrderStatus.PENDING));
        }
    }

    @Nested
    class A_crash_between_the_event_and_the_key {

        @Test
        void is_repaired_by_sending_forget_again() {
            try (OrdersApp app = start()) {
                registerAndOrder(app);
                // given CustomerForgotten was recorded but the process died before the key was deleted
                app.customers()
                        .handle(
                                customerId.toString(),
                                new ForgetCustomer(customerId),
                                CommandContext.create().eventMetadata(Instant.EPOCH),
                                ConflictRetry.NONE);
                assertThat(app.subjectKeys().forgotten(customerId.toString())).isFalse();

                // when the task is retried
                CommandResult.Accepted retried = accepted(app.send(new ForgetCustomer(customerId)));

                // then nothing more is recorded and the key is gone
                assertThat(retried.eventCount()).isZero();
                assertThat(app.subjectKeys().forgotten(customerId.toString())).isTrue();
                assertThat(customerHistory(app).getFirst())
                        .isEqualTo(new CustomerRegistered(
                                customerId, CryptoShredder.ERASED, CryptoShredder.ERASED, Address.ERASED));
            }
        }
    }
}
