package io.factum.examples.orders.readmodel;

import java.util.UUID;

/** A customer in the list of all customers; name and email read {@link CustomerDirectory#ERASED} once forgotten. */
public record CustomerListing(UUID customerId, String name, String email, boolean forgotten) {}
