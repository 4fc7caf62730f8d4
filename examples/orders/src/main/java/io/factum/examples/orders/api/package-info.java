/**
 * The HTTP JSON API of the order-management system on Javalin: commands as task endpoints answering
 * {@code {version, position}}, queries on the read models with read-your-writes, history and temporal
 * queries from the event streams, and every error as {@code application/problem+json}.
 */
@NullMarked
package io.factum.examples.orders.api;

import org.jspecify.annotations.NullMarked;
