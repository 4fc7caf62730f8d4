package io.factum.examples.orders.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.command.CommandResult;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.ConfirmOrder;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import io.factum.examples.orders.payments.PaymentProvider;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order system's rules that span streams, under concurrency: unique email, stock never below zero. */
class RulesAcrossStreamsTest {

    static final Address HOME = new Address("1 Analytical Way", "London", "N1 1AA", "GB");

    @TempDir
    Path dir;

    OrdersApp start() {
        // payments never answer: a confirmed order stays CONFIRMED (cancellable) for the test's time
        return OrdersApp.builder()
                .sqlite(dir.resolve("orders.db"))
                .paymentProvider(PaymentProvider.always(PaymentProvider.Answer.NEVER_ANSWER))
                .start();
    }

    static <T> List<T> atOnce(int clients, java.util.function.IntFunction<T> client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CyclicBarrier start = new CyclicBarrier(clients);
            List<Future<T>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int n = c;
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return client.apply(n);
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Nested
    class One_email_one_customer {

        @Test
        void of_many_clients_registering_the_same_email_at_once_exactly_one_succeeds() throws Exception {
            try (OrdersApp app = start()) {
                for (int round = 0; round < 5; round++) {
                    String email = "grace-" + round + "@example.com";
                    List<CommandResult> results = atOnce(
                            8,
                            n -> app.send(new RegisterCustomer(
                                    UUID.randomUUID(), "Grace " + n, n % 2 == 0 ? email : email.toUpperCase(), HOME)));

                    assertThat(results)
                            .filteredOn(CommandResult.Accepted.class::isInstance)
                            .hasSize(1);
                    assertThat(results)
                            .filteredOn(CommandResult.Rejected.class::isInstance)
                            .extracting(r -> ((CommandResult.Rejected) r).rule())
                            .hasSize(7)
                            .containsOnly("email-taken");
                }
            }
        }

        @Test
        void a_retried_registration_is_answered_as_the_first_and_other_addresses_are_free() {
            try (OrdersApp app = start()) {
                UUID ada = UUID.randomUUID();
                var register = new RegisterCustomer(ada, "Ada Lovelace", "ada@example.com", HOME);
                var context = io.factum.core.command.CommandContext.create();
                assertThat(app.send(register, context)).isInstanceOf(CommandResult.Accepted.class);
                CommandResult again = app.send(register, context);
                assertThat(again).isInstanceOf(CommandResult.Accepted.class);
                assertThat(((CommandResult.Accepted) again).duplicate()).isTrue();
                assertThat(app.send(new RegisterCustomer(UUID.randomUUID(), "Grace", "grace@example.com", HOME)))
                        .isInstanceOf(CommandResult.Accepted.class);
                CommandResult same = app.send(new RegisterCustomer(ada, "Ada Lovelace", "ada@example.com", HOME));
                assertThat(((CommandResult.Rejected) same).rule()).isEqualTo("customer-exists");
            }
        }
    }

    @Nested
    class Stock {

        private UUID openOrder(OrdersApp app, String product, int quantity) {
            UUID orderId = UUID.randomUUID();
            assertThat(app.send(new CreateOrder(orderId, UUID.randomUUID())))
                    .isInstanceOf(CommandResult.Accepted.class);
            assertThat(app.send(new AddItem(orderId, product, quantity, new BigDecimal("9.99"))))
                    .isInstanceOf(CommandResult.Accepted.class);
            return orderId;
        }

        @Test
        void orders_confirmed_at_once_never_take_the_stock_below_zero() throws Exception {
            try (OrdersApp app = start()) {
                app.addStock("LAMP-1", 7);
                List<UUID> orders = new ArrayList<>();
                for (int o = 0; o < 12; o++) {
                    orders.add(openOrder(app, "LAMP-1", 1 + o % 2));
                }

                List<CommandResult> results = atOnce(orders.size(), n -> app.send(new ConfirmOrder(orders.get(n))));

                int reserved = 0;
                for (int o = 0; o < orders.size(); o++) {
                    switch (results.get(o)) {
                        case CommandResult.Accepted accepted -> reserved += 1 + o % 2;
                        case CommandResult.Rejected rejected ->
                            assertThat(rejected.rule()).isEqualTo("out-of-stock");
                        // lost the race more often than it may retry: nothing reserved, the client sends again
                        case CommandResult.Conflict conflict -> {}
                        default -> throw new AssertionError("unexpected " + results.get(o));
                    }
                }
                assertThat(reserved).as("reserved").isPositive().isLessThanOrEqualTo(7);
                assertThat(app.stockLeft("LAMP-1")).hasValue(7 - reserved);
            }
        }

        @Test
        void cancelling_a_confirmed_order_releases_its_stock_and_unstocked_products_are_not_counted() {
            try (OrdersApp app = start()) {
                app.addStock("LAMP-1", 2);
                UUID first = openOrder(app, "LAMP-1", 2);
                assertThat(app.send(new AddItem(first, "NOT-STOCKED", 50, new BigDecimal("1.00"))))
                        .isInstanceOf(CommandResult.Accepted.class);
                assertThat(app.send(new ConfirmOrder(first))).isInstanceOf(CommandResult.Accepted.class);
                assertThat(app.stockLeft("LAMP-1")).hasValue(0);

                UUID second = openOrder(app, "LAMP-1", 1);
                CommandResult refused = app.send(new ConfirmOrder(second));
                assertThat(((CommandResult.Rejected) refused).message())
                        .isEqualTo("order " + second + " cannot be confirmed: not enough stock of LAMP-1 (1 ordered,"
                                + " 0 left)");

                assertThat(app.send(new CancelOrder(first, "changed my mind")))
                        .isInstanceOf(CommandResult.Accepted.class);
                assertThat(app.stockLeft("LAMP-1")).hasValue(2);
                assertThat(app.send(new ConfirmOrder(second))).isInstanceOf(CommandResult.Accepted.class);
                assertThat(app.stockLeft("LAMP-1")).hasValue(1);
                assertThat(app.stockLeft("NOT-STOCKED")).isEmpty();
            }
        }
    }
}
