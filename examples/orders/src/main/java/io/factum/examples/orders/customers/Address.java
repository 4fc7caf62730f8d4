package io.factum.examples.orders.customers;

/** A postal address: personal data, kept as one value so it can be protected as one. */
public record Address(String street, String city, String postalCode, String country) {}
