/**
 * Fulfilment across the contexts: the process manager that requests payment after an order is confirmed,
 * marks it paid or cancels it, and ships it, with a durable payment deadline; and the gateway that hands
 * payment requests to the provider and its answers back as commands.
 */
@NullMarked
package io.factum.examples.orders.fulfilment;

import org.jspecify.annotations.NullMarked;
