/** The payments context: the Payment decider, its commands and events, and the provider it talks to. */
@NullMarked
package io.factum.examples.orders.payments;

import org.jspecify.annotations.NullMarked;
