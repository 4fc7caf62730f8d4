/** The customers context: registration, address changes as two distinct tasks, forgetting a customer. */
@NullMarked
package io.factum.examples.orders.customers;

import org.jspecify.annotations.NullMarked;
