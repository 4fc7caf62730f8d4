/** The ordering context: the Order aggregate as a decider, its commands and private domain events. */
@NullMarked
package io.factum.examples.orders.ordering;

import org.jspecify.annotations.NullMarked;
