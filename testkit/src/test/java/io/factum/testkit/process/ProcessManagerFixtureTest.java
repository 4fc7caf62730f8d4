package io.factum.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.testkit.process.OrderPayment.CancelOrder;
import io.factum.testkit.process.OrderPayment.OrderCommand;
import io.factum.testkit.process.OrderPayment.OrderConfirmed;
import io.factum.testkit.process.OrderPayment.OrderEvent;
import io.factum.testkit.process.OrderPayment.OrderShipped;
import io.factum.testkit.process.OrderPayment.Payment;
import io.factum.testkit.process.OrderPayment.PaymentApproved;
import io.factum.testkit.process.OrderPayment.RemindCustomer;
import io.factum.testkit.process.OrderPayment.RequestPayment;
import io.factum.testkit.process.OrderPayment.ShipOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ProcessManagerFixtureTest {

    static ProcessManagerFixture<Payment, OrderEvent> fixture() {
        return ProcessManagerFixture.of(
                OrderPayment.SERIALIZER,
                OrderCommand.class,
                (store, serializer, bus, deadlines, clock) -> OrderPayment.builder()
                        .wiring(store, serializer, bus, deadlines)
                        .clock(clock)
                        .build());
    }

    @Nested
    class Passes {

        @Test
        void when_the_commands_and_deadlines_of_an_event_are_as_expected() {
            fixture()
                    .given("order-1", new OrderConfirmed("1", 100))
                    .thenSent(new RequestPayment("1", 100))
                    .thenScheduled("payment-timeout", Duration.ofMinutes(15))
                    .thenScheduled("payment-reminder", Duration.ofMinutes(10))
                    .thenState("1", new Payment("awaiting-payment", 100));
        }

        @Test
        void when_a_payment_cancels_the_deadlines_and_ships() {
            fixture()
                    .given("order-1", new OrderConfirmed("1", 100))
                    .thenSent(new RequestPayment("1", 100))
                    .given("payment-1", new PaymentApproved("1"))
                    .thenSent(new ShipOrder("1"))
                    .thenNotScheduled("payment-timeout")
                    .thenNoDeadlines()
                    .whenTimePasses(Duration.ofHours(1))
                    .thenNothingSent()
                    .given("order-1", new OrderShipped("1"))
                    .thenCompleted("1")
                    .thenState("1", new Payment("shipped", 100));
        }

        @Test
        void when_time_passes_and_the_deadlines_fire_in_order_each_at_its_time() {
            ProcessManagerFixture<Payment, OrderEvent> fixture = fixture()
                    .given("order-1", new OrderConfirmed("1", 100))
                    .thenSent(new RequestPayment("1", 100))
                    .whenTimePasses(Duration.ofMinutes(9))
                    .thenNothingSent()
                    .whenTimePasses(Duration.ofMinutes(11))
                    .thenSent(new RemindCustomer("1"), new CancelOrder("1", Instant.parse("2026-01-01T00:15:00Z")))
                    .thenCompleted("1")
                    .thenNoDeadlines();

            assertThat(fixture.clock().instant()).isEqualTo(Instant.parse("2026-01-01T00:20:00Z"));
            assertThat(fixture.sent()).hasSize(3);
        }

        @Test
        void when_a_redelivery_sends_nothing_again() {
            fixture()
                    .given("order-1", new OrderConfirmed("1", 100))
                    .given("order-2", new OrderConfirmed("2", 5))
                    .thenSent(new RequestPayment("1", 100), new RequestPayment("2", 5))
                    .thenIdempotent()
                    .thenNothingSent();
        }

        @Test
        void with_a_builder_the_fixture_wires() {
            ProcessManagerFixture.of(OrderPayment.SERIALIZER, OrderCommand.class, OrderPayment.builder())
                    .given("order-1", new OrderConfirmed("1", 100))
                    .thenSent(new RequestPayment("1", 100));
        }
    }

    @Nested
    class Fails {

        @Test
        void when_other_commands_were_sent_showing_both_side_by_side() {
            ProcessManagerFixture<Payment, OrderEvent> fixture =
                    fixture().given("order-1", new OrderConfirmed("1", 100));

            assertThatThrownBy(() -> fixture.thenSent(new RequestPayment("1", 99)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the process sent other commands than expected; first difference at #1\n"
                            + "      expected                              actual\n"
                            + ">  1  RequestPayment[orderId=1, amount=99]  RequestPayment[orderId=1, amount=100]\n")
                    .hasMessageContaining("given:\n   1  order-1@0  OrderConfirmed[orderId=1, amount=100]");
        }

        @Test
        void when_commands_were_sent_but_none_expected() {
            ProcessManagerFixture<Payment, OrderEvent> fixture =
                    fixture().given("order-1", new OrderConfirmed("1", 100));

            assertThatThrownBy(fixture::thenNothingSent)
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the process was expected to send nothing, but it sent:\n"
                            + "   1  RequestPayment[orderId=1, amount=100]");
        }

        @Test
        void when_a_deadline_is_due_at_another_time() {
            ProcessManagerFixture<Payment, OrderEvent> fixture =
                    fixture().given("order-1", new OrderConfirmed("1", 100));

            assertThatThrownBy(() -> fixture.thenScheduled("payment-timeout", Duration.ofMinutes(30)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("expected the deadline payment-timeout due 2026-01-01T00:30:00Z (in PT30M),"
                            + " but it is due at another time")
                    .hasMessageContaining("payment-timeout of 1 due 2026-01-01T00:15:00Z (in PT15M)");
            assertThatThrownBy(() -> fixture.thenScheduled("shipping-timeout", Duration.ofMinutes(15)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("but no deadline shipping-timeout is pending");
        }

        @Test
        void when_deadlines_are_pending_but_none_expected() {
            ProcessManagerFixture<Payment, OrderEvent> fixture =
                    fixture().given("order-1", new OrderConfirmed("1", 100));

            assertThatThrownBy(fixture::thenNoDeadlines)
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("expected no pending deadlines, but there are:\n  pending: payment-reminder"
                            + " of 1 due 2026-01-01T00:10:00Z (in PT10M), payment-timeout of 1 due");
            assertThatThrownBy(() -> fixture.thenNotScheduled("payment-timeout"))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("expected no deadline payment-timeout to be pending, but it is");
        }

        @Test
        void when_the_state_differs_and_names_what_happened() {
            ProcessManagerFixture<Payment, OrderEvent> fixture =
                    fixture().given("order-1", new OrderConfirmed("1", 100)).whenTimePasses(Duration.ofMinutes(10));

            assertThatThrownBy(() -> fixture.thenState("1", new Payment("paid", 100)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the state of instance 1 is not as expected\n"
                            + "  expected: Payment[status=paid, amount=100]\n"
                            + "  actual:   Payment[status=awaiting-payment, amount=100]")
                    .hasMessageContaining("   2  PT10M passed, until 2026-01-01T00:10:00Z\n"
                            + "   3  deadline payment-reminder of 1 fired at 2026-01-01T00:10:00Z");
            assertThatThrownBy(() -> fixture.thenState("2", new Payment("new", 0)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("the instance 2 has handled nothing, so it has no state");
            assertThatThrownBy(() -> fixture.thenCompleted("1"))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("expected instance 1 to be completed, but it is still running in state"
                            + " Payment[status=awaiting-payment, amount=100]");
        }

        @Test
        void when_the_process_sends_a_command_of_a_type_not_named() {
            ProcessManagerFixture<Payment, OrderEvent> fixture = ProcessManagerFixture.of(
                            OrderPayment.SERIALIZER,
                            List.of(RequestPayment.class),
                            (store, serializer, bus, deadlines, clock) -> OrderPayment.builder()
                                    .wiring(store, serializer, bus, deadlines)
                                    .clock(clock)
                                    .build())
                    .given("order-1", new OrderConfirmed("1", 100));

            assertThatThrownBy(() -> fixture.given("payment-1", new PaymentApproved("1")))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("on payment-1@0  PaymentApproved[orderId=1] the process sent a "
                            + ShipOrder.class.getName() + ", which is not one of the command types named to"
                            + " ProcessManagerFixture.of");
        }

        @Test
        void to_start_with_a_command_interface_that_is_not_sealed() {
            assertThatThrownBy(() ->
                            ProcessManagerFixture.of(OrderPayment.SERIALIZER, Runnable.class, OrderPayment.builder()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("command type java.lang.Runnable is an interface or abstract class that is not"
                            + " sealed, so its commands cannot be known; name the command classes");
        }
    }
}
