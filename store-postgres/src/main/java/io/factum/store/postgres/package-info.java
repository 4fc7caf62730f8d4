/**
 * The PostgreSQL event store: {@link io.factum.store.postgres.PostgresEventStore} opens a store on a
 * database, creates and migrates its tables, and coalesces concurrent appends into shared transactions.
 */
@NullMarked
package io.factum.store.postgres;

import org.jspecify.annotations.NullMarked;
