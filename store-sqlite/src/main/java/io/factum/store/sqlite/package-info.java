/**
 * The embedded event store on SQLite: one file, WAL mode, {@code synchronous=FULL}, one writer at a time
 * with group commit. Open it with {@link io.factum.store.sqlite.SqliteEventStore#open(java.nio.file.Path)}.
 */
@NullMarked
package io.factum.store.sqlite;

import org.jspecify.annotations.NullMarked;
