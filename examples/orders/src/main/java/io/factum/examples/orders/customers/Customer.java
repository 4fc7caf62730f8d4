package io.factum.examples.orders.customers;

import io.factum.examples.orders.customers.CustomerCommand.CorrectAddress;
import io.factum.examples.orders.customers.CustomerCommand.ForgetCustomer;
import io.factum.examples.orders.customers.CustomerCommand.MoveHouse;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.customers.CustomerEvent.CustomerAddressCorrected;
import io.factum.examples.orders.customers.CustomerEvent.CustomerForgotten;
import io.factum.examples.orders.customers.CustomerEvent.CustomerMovedHouse;
import io.factum.examples.orders.customers.CustomerEvent.CustomerRegistered;
import io.factum.examples.orders.shared.RuleBroken;
import java.util.List;
import java.util.UUID;

/**
 * The Customer aggregate as a decider. The state keeps only what the rules need: whether the customer
 * exists or was forgotten, and the current address (to tell a real change from none).
 */
public record Customer(boolean registered, boolean forgotten, Address address) {

    private static final Address NOWHERE = new Address("", "", "", "");

    public static Customer initial() {
        return new Customer(false, false, NOWHERE);
    }

    public static List<CustomerEvent> decide(CustomerCommand command, Customer customer) {
        UUID id = command.customerId();
        if (command instanceof RegisterCustomer register) {
            if (customer.forgotten()) {
                throw new RuleBroken(
                        "customer-forgotten",
                        "customer " + id + " was forgotten and cannot be registered again under the same id;"
                                + " register them as a new customer with a new id");
            }
            if (customer.registered()) {
                throw new RuleBroken("customer-exists", "customer " + id + " is registered already");
            }
            return List.of(new CustomerRegistered(id, register.name(), register.email(), register.address()));
        }
        if (!customer.registered()) {
            throw new RuleBroken("customer-unknown", "customer " + id + " is not registered");
        }
        if (customer.forgotten()) {
            if (command instanceof ForgetCustomer) {
                return List.of();
            }
            throw new RuleBroken(
                    "customer-forgotten", "customer " + id + " was forgotten; register them again as a new customer");
        }
        return switch (command) {
            case RegisterCustomer register -> throw new IllegalStateException("handled above");
            case MoveHouse move -> {
                if (move.address().equals(customer.address())) {
                    throw new RuleBroken(
                            "same-address",
                            "customer " + id + " already lives at this address; to fix a typo, correct the address");
                }
                yield List.of(new CustomerMovedHouse(id, move.address()));
            }
            case CorrectAddress correct ->
                correct.address().equals(customer.address())
                        ? List.of()
                        : List.of(new CustomerAddressCorrected(id, correct.address()));
            case ForgetCustomer forget -> List.of(new CustomerForgotten(id));
        };
    }

    public static Customer evolve(Customer customer, CustomerEvent event) {
        return switch (event) {
            case CustomerRegistered registered -> new Customer(true, false, registered.address());
            case CustomerMovedHouse moved -> new Customer(true, false, moved.address());
            case CustomerAddressCorrected corrected -> new Customer(true, false, corrected.address());
            case CustomerForgotten forgotten -> new Customer(true, true, NOWHERE);
        };
    }
}
