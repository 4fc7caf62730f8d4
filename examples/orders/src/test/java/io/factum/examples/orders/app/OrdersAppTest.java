package io.factum.examples.orders.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.command.FieldViolation;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.fulfilment.Fulfilment;
import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.ConfirmOrder;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.payments.PaymentProvider;
import io.factum.examples.orders.payments.PaymentProvider.Answer;
import io.factum.examples.orders.published.PublishedOrderEvent;
import io.factum.examples.orders.readmodel.CustomerDirectory;
import io.factum.examples.orders.readmodel.CustomerView;
import io.factum.examples.orders.readmodel.DailySales;
import io.factum.examples.orders.readmodel.OrderSummaries;
import io.factum.examples.orders.readmodel.OrderSummary;
import io.factum.testkit.TestClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrdersAppTest {

    static final Address HOME = new Address("1 Analytical Way", "London", "N1 1AA", "GB");
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    OrdersApp start(PaymentProvider provider) {
        return OrdersApp.builder()
                .sqlite(dir.resolve("orders.db"))
                .paymentProvider(provider)
                .deadlinePollInterval(Duration.ofMillis(50))
                .start();
    }

    static CommandResult.Accepted accepted(CommandResult result) {
        assertThat(result).isInstanceOf(CommandResult.Accepted.class);
        return (CommandResult.Accepted) result;
    }

    /** Registers a customer and places a confirmed order of three products (total 33.47). */
    static UUID placeOrder(OrdersApp app, UUID customerId) {
        accepted(app.send(new RegisterCustomer(customerId, "Ada Lovelace", "ada@example.com", HOME)));
        UUID orderId = UUID.randomUUID();
        accepted(app.send(new CreateOrder(orderId, customerId)));
        accepted(app.send(new AddItem(orderId, "BOOK-1", 2, new BigDecimal("12.50"))));
        accepted(app.send(new AddItem(orderId, "PEN-9", 3, new BigDecimal("1.99"))));
        accepted(app.send(new AddItem(orderId, "INK-3", 1, new BigDecimal("2.50"))));
        CommandResult.Accepted confirmed = accepted(app.send(new ConfirmOrder(orderId)));
        // read-your-writes: the summary has reached the confirmation (or gone further)
        OrderSummary summary = app.orderSummaries()
                .query(confirmed.position(), WAIT, OrderSummaries.byId(orderId))
                .orElseThrow();
        assertThat(summary.itemCount()).isEqualTo(3);
        assertThat(summary.totalAmount()).isEqualByComparingTo("33.47");
        return orderId;
    }

    static OrderStatus eventuallyStatus(OrdersApp app, UUID orderId, OrderStatus expected) {
        return eventually(
                () -> app.orderSummaries()
                        .query(OrderSummaries.byId(orderId))
                        .map(OrderSummary::status)
                        .orElse(OrderStatus.PENDING),
                expected);
    }

    static <T> T eventually(Supplier<T> probe, T expected) {
        Instant until = Instant.now().plus(WAIT);
        T seen = probe.get();
        while (!seen.equals(expected) && Instant.now().isBefore(until)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            seen = probe.get();
        }
        assertThat(seen).isEqualTo(expected);
        return seen;
    }

    static List<String> typesOf(OrdersApp app, String stream) {
        StreamSlice slice = app.store().readStream(stream, ReadDirection.FORWARD, StreamSlice.START, 100);
        return slice.events().stream().map(RecordedEvent::type).toList();
    }

    @Nested
    class An_approved_order {
        @Test
        void is_shipped_and_everything_is_still_there_after_a_restart() {
            UUID customerId = UUID.randomUUID();
            UUID orderId;
            try (OrdersApp app = start(PaymentProvider.always(Answer.APPROVE))) {
                orderId = placeOrder(app, customerId);
                eventuallyStatus(app, orderId, OrderStatus.SHIPPED);
            }

            try (OrdersApp app = start(PaymentProvider.always(Answer.APPROVE))) {
                OrderSummary summary =
                        app.orderSummaries().query(OrderSummaries.byId(orderId)).orElseThrow();
                assertThat(summary.status()).isEqualTo(OrderStatus.SHIPPED);
                assertThat(summary.lines())
                        .extracting(OrderSummary.Line::productId)
                        .containsExactly("BOOK-1", "PEN-9", "INK-3");
                assertThat(app.orders().load(orderId.toString()).state().status())
                        .isEqualTo(OrderStatus.SHIPPED);
                assertThat(typesOf(app, "order-" + orderId))
                        .containsExactly(
                                "OrderCreated",
                                "ItemAdded",
                                "ItemAdded",
                                "ItemAdded",
                                "OrderConfirmed",
                                "OrderPaid",
                                "OrderShipped");
                assertThat(app.customerDirectory().query(CustomerDirectory.byId(customerId)))
                        .map(CustomerView::orders)
                        .contains(List.of(new CustomerView.Order(orderId, OrderStatus.SHIPPED)));
                LocalDate today = LocalDate.now(ZoneOffset.UTC);
                assertThat(app.dailySales().query(DailySales.between(today.minusDays(1), today.plusDays(1))))
                        .extracting(DailySales.Day::revenue)
                        .anySatisfy(revenue -> assertThat(revenue).isGreaterThanOrEqualTo(new BigDecimal("33.47")));
                assertThat(app.fulfilment().completed(orderId.toString())).isTrue();
                eventually(
                        () -> typesOf(app, PublishedOrderEvent.STREAM)
                                .containsAll(List.of("ordering.OrderPlaced", "ordering.OrderFulfilled")),
                        true);
            }
        }
    }

    @Nested
    class A_declined_payment {
        @Test
        void cancels_the_order_with_the_compensating_reason() {
            try (OrdersApp app = start(PaymentProvider.always(Answer.DECLINE))) {
                UUID orderId = placeOrder(app, UUID.randomUUID());
                eventuallyStatus(app, orderId, OrderStatus.CANCELLED);
                assertThat(typesOf(app, "payment-" + orderId)).containsExactly("PaymentRequested", "PaymentDeclined");
                assertThat(app.store()
                                .readStream("order-" + orderId, ReadDirection.BACKWARD, StreamSlice.END, 1)
                                .events()
                                .get(0)
                                .data())
                        .contains(Fulfilment.DECLINED);
            }
        }
    }

    @Nested
    class A_payment_never_answered {
        @Test
        void cancels_the_order_when_the_durable_deadline_passes() {
            TestClock clock = TestClock.at(Instant.now());
            try (OrdersApp app = OrdersApp.builder()
                    .sqlite(dir.resolve("orders.db"))
                    .paymentProvider(PaymentProvider.always(Answer.NEVER_ANSWER))
                    .paymentTimeout(Duration.ofMinutes(2))
                    .clock(clock)
                    // the test fires deadlines itself: the app's own scheduler must not race it
                    .deadlinePollInterval(Duration.ofHours(1))
                    .start()) {
                UUID orderId = placeOrder(app, UUID.randomUUID());
                eventually(
                        () -> app.fulfilment().state(orderId.toString()),
                        Optional.of(new Fulfilment.State(Fulfilment.Stage.AWAITING_PAYMENT)));
                assertThat(app.deadlines().fireDue()).isZero();

                clock.advance(Duration.ofMinutes(3));
                assertThat(app.deadlines().fireDue()).isEqualTo(1);

                eventuallyStatus(app, orderId, OrderStatus.CANCELLED);
                assertThat(app.store()
                                .readStream("order-" + orderId, ReadDirection.BACKWARD, StreamSlice.END, 1)
                                .events()
                                .get(0)
                                .data())
                        .contains(Fulfilment.NOT_ANSWERED);
            }
        }
    }

    @Nested
    class A_long_lived_order {
        @Test
        void is_loaded_from_a_snapshot_kept_in_the_store_file() {
            UUID orderId = UUID.randomUUID();
            try (OrdersApp app = start(PaymentProvider.always(Answer.APPROVE))) {
                accepted(app.send(new CreateOrder(orderId, UUID.randomUUID())));
                for (int i = 0; i < 60; i++) {
                    accepted(app.send(new AddItem(orderId, "SKU-" + i, 1, new BigDecimal("1.00"))));
                }
            }
            try (OrdersApp app = start(PaymentProvider.always(Answer.APPROVE))) {
                var loaded = app.orders().load(orderId.toString());
                assertThat(loaded.version()).isEqualTo(60);
                assertThat(loaded.eventsReplayed()).isLessThan(50);
                assertThat(loaded.state().lines()).hasSize(60);
                assertThat(loaded.state().total()).isEqualByComparingTo("60.00");
            }
        }
    }

    @Nested
    class The_command_bus {
        @Test
        void names_every_invalid_field() {
            try (OrdersApp app = start(PaymentProvider.always(Answer.APPROVE))) {
                CommandResult result = app.send(new RegisterCustomer(
                        UUID.randomUUID(), " ", "not-an-email", new Address("", "London", "N1", "GB")));
                assertThat(result).isInstanceOf(CommandResult.Invalid.class);
                assertThat(((CommandResult.Invalid) result).violations())
                        .extracting(FieldViolation::field)
                        .containsExactly("name", "email", "address.street");
            }
        }

        @Test
        void answers_a_retried_command_with_its_first_result_and_emits_nothing() {
            try (OrdersApp app = start(PaymentProvider.always(Answer.APPROVE))) {
                UUID customerId = UUID.randomUUID();
                var register = new RegisterCustomer(customerId, "Ada Lovelace", "ada@example.com", HOME);
                CommandContext context = CommandContext.create();
                CommandResult.Accepted first = accepted(app.send(register, context));
                CommandResult.Accepted again = accepted(app.send(register, context));
                assertThat(again.duplicate()).isTrue();
                assertThat(again.position()).isEqualTo(first.position());
                assertThat(typesOf(app, "customer-" + customerId)).containsExactly("CustomerRegistered");
            }
        }
    }
}
