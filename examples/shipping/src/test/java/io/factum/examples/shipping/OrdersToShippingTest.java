package io.factum.examples.shipping;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.command.CommandResult;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.ConfirmOrder;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import io.factum.examples.orders.payments.PaymentProvider;
import io.factum.kafka.KafkaTestBroker;
import io.factum.kafka.SharedBroker;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orders system publishes its public events to Kafka ({@code --kafka-bootstrap}), the shipping service
 * consumes them through its inbox and writes its own events; a restart of shipping applies nothing twice.
 */
class OrdersToShippingTest {

    static final Address HOME = new Address("1 Analytical Way", "London", "N1 1AA", "GB");
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    final KafkaTestBroker broker = SharedBroker.get();

    @Test
    void a_placed_and_fulfilled_order_is_shipped_and_a_declined_one_cancelled_each_once() throws Exception {
        try (OrdersApp orders = OrdersApp.builder()
                .sqlite(dir.resolve("orders.db"))
                .paymentProvider(PaymentProvider.byAmount(new BigDecimal("1000.00"), new BigDecimal("5000.00")))
                .deadlinePollInterval(Duration.ofMillis(50))
                .kafka(broker.bootstrapServers())
                .start()) {
            UUID customer = UUID.randomUUID();
            accepted(orders.send(new RegisterCustomer(customer, "Ada Lovelace", "ada@example.com", HOME)));
            UUID shipped = order(orders, customer, "12.50");
            UUID declined = order(orders, customer, "1500.00");

            try (ShippingApp shipping = ShippingApp.start(dir.resolve("shipping.db"), broker.bootstrapServers())) {
                eventually(() -> shipping.shipment(shipped).status(), Shipment.Status.HANDED_OVER);
                eventually(() -> shipping.shipment(declined).status(), Shipment.Status.CANCELLED);
                assertThat(shipping.shipment(shipped).trackingNumber()).isNotBlank();
                assertThat(shipping.inbox().parked()).isEmpty();
            }

            // started again, the inbox reads from its committed offsets; the relay may even publish again: still
            // one event per fact
            try (ShippingApp shipping = ShippingApp.start(dir.resolve("shipping.db"), broker.bootstrapServers())) {
                UUID later = order(orders, customer, "20.00");
                eventually(() -> shipping.shipment(later).status(), Shipment.Status.HANDED_OVER);
                assertThat(types(shipping, shipped)).containsExactly("Opened", "HandedOver");
                assertThat(types(shipping, declined)).containsExactly("Opened", "Cancelled");
                assertThat(types(shipping, later)).containsExactly("Opened", "HandedOver");
            }
            assertThat(orders.kafkaRelay().orElseThrow().status().refused()).isZero();
        }
    }

    static UUID order(OrdersApp orders, UUID customer, String price) {
        UUID order = UUID.randomUUID();
        accepted(orders.send(new CreateOrder(order, customer)));
        accepted(orders.send(new AddItem(order, "BOOK-1", 1, new BigDecimal(price))));
        accepted(orders.send(new ConfirmOrder(order)));
        return order;
    }

    static java.util.List<String> types(ShippingApp shipping, UUID order) {
        return shipping.store().readStream("shipment-" + order, ReadDirection.FORWARD, 0, 100).events().stream()
                .map(RecordedEvent::type)
                .toList();
    }

    static void accepted(CommandResult result) {
        assertThat(result).isInstanceOf(CommandResult.Accepted.class);
    }

    static <T> void eventually(Supplier<T> probe, T expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T seen = probe.get();
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = probe.get();
        }
        assertThat(seen).isEqualTo(expected);
    }
}
