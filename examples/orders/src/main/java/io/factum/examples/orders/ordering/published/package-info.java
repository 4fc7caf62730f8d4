/** The ordering context's public integration events, a contract apart from its private domain events. */
@NullMarked
package io.factum.examples.orders.ordering.published;

import org.jspecify.annotations.NullMarked;
