/** Wires the contexts to a store, a command bus, subscriptions and a deadline scheduler. */
@NullMarked
package io.factum.examples.orders.app;

import org.jspecify.annotations.NullMarked;
