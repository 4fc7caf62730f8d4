package io.factum.examples.orders.app;

import io.factum.core.aggregate.Decider;
import io.factum.core.command.Rejections;
import io.factum.examples.orders.customers.Customer;
import io.factum.examples.orders.customers.CustomerCommand;
import io.factum.examples.orders.customers.CustomerEvent;
import io.factum.examples.orders.ordering.Order;
import io.factum.examples.orders.ordering.OrderCommand;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.payments.Payment;
import io.factum.examples.orders.payments.PaymentCommand;
import io.factum.examples.orders.payments.PaymentEvent;
import io.factum.examples.orders.shared.RuleBroken;

/**
 * Where the Factum-free domain meets Factum: each aggregate's three plain functions wired into a {@link
 * Decider}, and the domain's own rule exception named as the rejection the command bus (and the tests'
 * fixtures) answer with a 422.
 */
public final class Deciders {

    public static final Decider<OrderCommand, OrderEvent, Order> ORDER =
            Decider.of(Order::initial, Order::decide, Order::evolve);

    public static final Decider<CustomerCommand, CustomerEvent, Customer> CUSTOMER =
            Decider.of(Customer::initial, Customer::decide, Customer::evolve);

    public static final Decider<PaymentCommand, PaymentEvent, Payment> PAYMENT =
            Decider.of(Payment::initial, Payment::decide, Payment::evolve);

    /** The exceptions the domain refuses commands with: its {@link RuleBroken}, named by its rule. */
    public static final Rejections REJECTIONS = Rejections.none().with(RuleBroken.class, RuleBroken::rule);

    private Deciders() {}
}
