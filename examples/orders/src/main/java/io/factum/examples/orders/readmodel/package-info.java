/** The read models: SQL projections that run on SQLite and PostgreSQL, and their queries. */
@NullMarked
package io.factum.examples.orders.readmodel;

import org.jspecify.annotations.NullMarked;
