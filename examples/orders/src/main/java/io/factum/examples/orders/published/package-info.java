/** The ordering context's public integration events, a contract apart from its private domain events. */
@NullMarked
package io.factum.examples.orders.published;

import org.jspecify.annotations.NullMarked;
