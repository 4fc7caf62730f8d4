package io.factum.examples.orders.customers;

import java.util.UUID;

/**
 * What happened to a customer. Personal data (name, email, address) lives in record components of its
 * own, never folded into other values, so that each such field can be marked and encrypted per customer
 * (crypto-shredding) without changing the events' shape.
 */
public sealed interface CustomerEvent {

    UUID customerId();

    record CustomerRegistered(UUID customerId, String name, String email, Address address) implements CustomerEvent {}

    /** The customer lives somewhere else from now on; the old address was right until now. */
    record CustomerMovedHouse(UUID customerId, Address address) implements CustomerEvent {}

    /** The address was entered wrongly; this is the one it always was. */
    record CustomerAddressCorrected(UUID customerId, Address address) implements CustomerEvent {}

    /** The customer's personal data must no longer be readable. */
    record CustomerForgotten(UUID customerId) implements CustomerEvent {}
}
