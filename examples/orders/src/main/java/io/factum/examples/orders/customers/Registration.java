package io.factum.examples.orders.customers;

import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.shared.RuleBroken;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The registration of a customer, decided across customers: one email address, one customer. The state
 * is folded from the events of the customer being registered and of every customer registered with the
 * same address (the application finds them; see {@code app.Boundaries}); the customer's own rules stay
 * {@link Customer#decide}'s.
 *
 * @param customers the state of each customer seen, by id
 */
public record Registration(Map<UUID, Customer> customers) {

    public Registration {
        customers = Map.copyOf(customers);
    }

    public static Registration initial() {
        return new Registration(Map.of());
    }

    /** Registers the customer unless another customer has the email address. */
    public static List<CustomerEvent> decide(RegisterCustomer command, Registration registration) {
        UUID id = command.customerId();
        for (Map.Entry<UUID, Customer> other : registration.customers().entrySet()) {
            if (!other.getKey().equals(id) && other.getValue().registered()) {
                throw new RuleBroken(
                        "email-taken",
                        "the email address is registered to another customer already; sign in as that customer"
                                + " or register with another address");
            }
        }
        return Customer.decide(command, registration.customers().getOrDefault(id, Customer.initial()));
    }

    public static Registration evolve(Registration registration, CustomerEvent event) {
        Map<UUID, Customer> customers = new HashMap<>(registration.customers());
        customers.put(
                event.customerId(),
                Customer.evolve(customers.getOrDefault(event.customerId(), Customer.initial()), event));
        return new Registration(customers);
    }
}
