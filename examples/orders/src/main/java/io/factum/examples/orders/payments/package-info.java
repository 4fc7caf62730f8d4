/** Payments and shipping: the Payment decider, the simulated provider and the fulfilment process manager. */
@NullMarked
package io.factum.examples.orders.payments;

import org.jspecify.annotations.NullMarked;
