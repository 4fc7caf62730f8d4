package io.factum.examples.shipping;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * The shipping context's aggregate, one per order: opened when an order is placed, handed over to the
 * carrier when the order is fulfilled, cancelled when it is withdrawn. Plain functions, no Factum: the
 * service wires them as a decider.
 */
public final class Shipment {

    private Shipment() {}

    /** What the shipping context is asked to do. */
    public sealed interface Command {
        UUID orderId();
    }

    /** Prepare a shipment for a placed order. */
    public record Open(UUID orderId, UUID customerId, BigDecimal orderTotal) implements Command {}

    /** The parcel left with the carrier. */
    public record HandOver(UUID orderId, String trackingNumber) implements Command {}

    /** The order will not be shipped. */
    public record Cancel(UUID orderId, String reason) implements Command {}

    /** What happened to a shipment. */
    public sealed interface Event {}

    public record Opened(UUID orderId, UUID customerId, BigDecimal orderTotal) implements Event {}

    public record HandedOver(UUID orderId, String trackingNumber) implements Event {}

    public record Cancelled(UUID orderId, String reason) implements Event {}

    /** Where a shipment is. */
    public enum Status {
        NONE,
        OPEN,
        HANDED_OVER,
        CANCELLED
    }

    /** A shipment's state. */
    public record State(Status status, String trackingNumber) {}

    /** A command the shipment's state does not allow. */
    public static final class NotAllowed extends RuntimeException {
        public NotAllowed(String message) {
            super(message);
        }
    }

    public static State initial() {
        return new State(Status.NONE, "");
    }

    /** Decides; a command that changes nothing (a shipment opened twice) decides no events. */
    public static List<Event> decide(Command command, State state) {
        return switch (command) {
            case Open open ->
                state.status() == Status.NONE
                        ? List.of(new Opened(open.orderId(), open.customerId(), open.orderTotal()))
                        : List.of();
            case HandOver handOver -> {
                if (state.status() == Status.HANDED_OVER) {
                    yield List.of();
                }
                if (state.status() != Status.OPEN) {
                    throw new NotAllowed("shipment of order " + handOver.orderId() + " is " + state.status()
                            + ": only an open shipment is handed over");
                }
                yield List.of(new HandedOver(handOver.orderId(), handOver.trackingNumber()));
            }
            case Cancel cancel ->
                state.status() == Status.OPEN ? List.of(new Cancelled(cancel.orderId(), cancel.reason())) : List.of();
        };
    }

    public static State evolve(State state, Event event) {
        return switch (event) {
            case Opened opened -> new State(Status.OPEN, "");
            case HandedOver handedOver -> new State(Status.HANDED_OVER, handedOver.trackingNumber());
            case Cancelled cancelled -> new State(Status.CANCELLED, state.trackingNumber());
        };
    }
}
