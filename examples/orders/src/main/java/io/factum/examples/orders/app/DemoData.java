package io.factum.examples.orders.app;

import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand.MoveHouse;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.ordering.OrderCommand.AddItem;
import io.factum.examples.orders.ordering.OrderCommand.CancelOrder;
import io.factum.examples.orders.ordering.OrderCommand.ConfirmOrder;
import io.factum.examples.orders.ordering.OrderCommand.CorrectPrice;
import io.factum.examples.orders.ordering.OrderCommand.CreateOrder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * A few customers and orders in different states, sent as commands like any others, so that the pages
 * are not empty on a first start: an order still pending, one confirmed (the simulated provider approves
 * it, so it goes on to paid and shipped), one cancelled by the customer, one whose payment is declined
 * (cancelled by the fulfilment process) and one with a corrected price. Ids are fixed, so that loading
 * twice is noticed and skipped.
 */
public final class DemoData {

    private DemoData() {}

    /** Loads the demo data unless it was loaded before; true if it loaded it now. */
    public static boolean loadOnce(OrdersApp app) {
        UUID ada = id("customer ada");
        if (app.customers().load(ada.toString()).state().registered()) {
            return false;
        }
        UUID grace = id("customer grace");
        UUID alan = id("customer alan");
        send(
                app,
                new RegisterCustomer(
                        ada,
                        "Ada Lovelace",
                        "ada@example.com",
                        new Address("12 St James's Square", "London", "SW1Y 4JH", "GB")));
        send(
                app,
                new RegisterCustomer(
                        grace,
                        "Grace Hopper",
                        "grace@example.com",
                        new Address("1 Navy Yard", "Arlington", "22202", "US")));
        send(
                app,
                new RegisterCustomer(
                        alan,
                        "Alan Turing",
                        "alan@example.com",
                        new Address("78 High Street", "Hampton", "TW12 2SW", "GB")));
        send(app, new MoveHouse(alan, new Address("43 Adlington Road", "Wilmslow", "SK9 2BJ", "GB")));

        UUID pending = id("order ada pending");
        send(app, new CreateOrder(pending, ada));
        send(app, new AddItem(pending, "BOOK-NOTES", 2, new BigDecimal("12.50")));
        send(app, new AddItem(pending, "PEN-BRASS", 1, new BigDecimal("3.20")));

        UUID shipped = id("order ada shipped");
        send(app, new CreateOrder(shipped, ada));
        send(app, new AddItem(shipped, "ENGINE-KIT", 1, new BigDecimal("42.00")));
        send(app, new ConfirmOrder(shipped));

        UUID cancelled = id("order grace cancelled");
        send(app, new CreateOrder(cancelled, grace));
        send(app, new AddItem(cancelled, "COMPILER-MANUAL", 1, new BigDecimal("30.00")));
        send(app, new CancelOrder(cancelled, "the customer changed her mind"));

        UUID declined = id("order grace declined");
        send(app, new CreateOrder(declined, grace));
        send(app, new AddItem(declined, "MAINFRAME-TAPE", 3, new BigDecimal("500.00")));
        send(app, new ConfirmOrder(declined));

        UUID corrected = id("order alan corrected");
        send(app, new CreateOrder(corrected, alan));
        send(app, new AddItem(corrected, "CHESS-SET", 1, new BigDecimal("89.00")));
        // a retrospective correction: the price agreed when the item was added, entered afterwards
        Instant agreed;
        try (var events = app.store().streamEvents(app.orders().streamOf(corrected.toString()))) {
            agreed = app.serializer().readMetadata(events.toList().getLast()).occurredAt();
        }
        send(
                app,
                new CorrectPrice(corrected, "CHESS-SET", new BigDecimal("79.00"), "the catalogue price is 79.00"),
                CommandContext.create().withEffectiveAt(agreed));
        return true;
    }

    private static UUID id(String name) {
        return UUID.nameUUIDFromBytes(("factum-orders-demo " + name).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(OrdersApp app, Object command) {
        send(app, command, CommandContext.create());
    }

    private static void send(OrdersApp app, Object command, CommandContext context) {
        CommandResult result = app.send(command, context);
        if (!(result instanceof CommandResult.Accepted)) {
            throw new IllegalStateException("the demo data's command " + command + " was not accepted: " + result);
        }
    }
}
