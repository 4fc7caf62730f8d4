/**
 * The standalone Factum event store server: a store (SQLite in a data directory, or PostgreSQL) behind
 * Factum's HTTP surfaces, configured by flags and environment variables; see {@link
 * io.factum.server.FactumServer}.
 */
@NullMarked
package io.factum.server;

import org.jspecify.annotations.NullMarked;
