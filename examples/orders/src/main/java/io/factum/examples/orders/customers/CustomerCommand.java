package io.factum.examples.orders.customers;

import java.util.UUID;

/**
 * What can be asked of a customer. Changing an address is two tasks with two meanings: the customer
 * moved house (a new address from now on) or the address was entered wrongly (it was always this one).
 */
public sealed interface CustomerCommand {

    UUID customerId();

    record RegisterCustomer(UUID customerId, String name, String email, Address address) implements CustomerCommand {}

    record MoveHouse(UUID customerId, Address address) implements CustomerCommand {}

    record CorrectAddress(UUID customerId, Address address) implements CustomerCommand {}

    /** The customer asked to be forgotten (GDPR, right to erasure). */
    record ForgetCustomer(UUID customerId) implements CustomerCommand {}
}
