package io.factum.examples.orders.app;

import io.factum.core.EventQuery;
import io.factum.core.aggregate.DcbDecider;
import io.factum.core.aggregate.Decider;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.customers.CustomerEvent;
import io.factum.examples.orders.customers.CustomerEvent.CustomerRegistered;
import io.factum.examples.orders.customers.Registration;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.stock.Reservation;
import io.factum.examples.orders.stock.StockCommand;
import io.factum.examples.orders.stock.StockEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * The rules of the order system that span streams, as decisions across streams (DCB, see
 * docs/write-side.md): where the domain's events go, which tags they carry, and which events each
 * decision reads.
 *
 * <ul>
 *   <li>{@link #REGISTRATION}: one email address, one customer. Every customer event carries {@code
 *       customer:<id>}; a registration also {@code email-sha256:<hash>} of the normalised address (a
 *       hash: tags are stored in clear, never crypto-shredded);
 *   <li>{@link #STOCK}: a product's stock never goes below zero. Every order event carries {@code
 *       order:<id>}, every stock event {@code product:<id>} (and the order's tag for a reservation).
 * </ul>
 */
public final class Boundaries {

    private Boundaries() {}

    /** The tag of an email address: a hash of it, trimmed and lower-cased. */
    public static String emailTag(String email) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("factum-orders\u0000" + email.strip().toLowerCase(Locale.ROOT))
                            .getBytes(StandardCharsets.UTF_8));
            return "email-sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The tags of a customer's event. */
    public static Set<String> customerTags(CustomerEvent event) {
        String customer = "customer:" + event.customerId();
        return event instanceof CustomerRegistered registered
                ? Set.of(customer, emailTag(registered.email()))
                : Set.of(customer);
    }

    /** The tags of an order's event. */
    public static Set<String> orderTags(OrderEvent event) {
        return Set.of("order:" + event.orderId());
    }

    /** Registration: the customer's events and those of every customer with the same email address. */
    public static final DcbDecider<RegisterCustomer, CustomerEvent, Registration> REGISTRATION = DcbDecider.of(
            Decider.of(Registration::initial, Registration::decide, Registration::evolve),
            register -> EventQuery.tags("customer:" + register.customerId())
                    .or(EventQuery.tags(emailTag(register.email()))),
            event -> "customer-" + event.customerId(),
            Boundaries::customerTags);

    /** Stock: the order's events and the stock events of its products. */
    public static final DcbDecider<StockCommand, Object, Reservation> STOCK = DcbDecider.of(
            Decider.of(Reservation::initial, Reservation::decide, Reservation::evolve),
            Boundaries::stockQuery,
            Boundaries::streamOf,
            Boundaries::stockTags);

    private static EventQuery stockQuery(StockCommand command) {
        return switch (command) {
            case StockCommand.ConfirmWithStock confirm -> {
                EventQuery query = EventQuery.tags("order:" + confirm.orderId());
                for (String product : confirm.productIds()) {
                    query = query.or(EventQuery.tags("product:" + product));
                }
                yield query;
            }
            case StockCommand.CancelWithStock cancel -> EventQuery.tags("order:" + cancel.orderId());
            case StockCommand.AddStock add -> EventQuery.tags("product:" + add.productId());
        };
    }

    private static String streamOf(Object event) {
        return switch (event) {
            case OrderEvent order -> "order-" + order.orderId();
            case StockEvent stock -> "stock-" + stock.productId();
            default -> throw new IllegalArgumentException("not an order or stock event: " + event);
        };
    }

    private static Set<String> stockTags(Object event) {
        return switch (event) {
            case OrderEvent order -> orderTags(order);
            case StockEvent.StockAdded added -> Set.of("product:" + added.productId());
            case StockEvent.StockReserved taken -> Set.of("product:" + taken.productId(), "order:" + taken.orderId());
            case StockEvent.StockReleased given -> Set.of("product:" + given.productId(), "order:" + given.orderId());
            default -> throw new IllegalArgumentException("not an order or stock event: " + event);
        };
    }
}
