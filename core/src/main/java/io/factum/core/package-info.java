/**
 * Factum's public API: events and their envelopes, the event store contract and its capabilities
 * ({@link io.factum.core.EventAppender}, {@link io.factum.core.EventReader},
 * {@link io.factum.core.StreamManager}), and the in-memory store returned by
 * {@link io.factum.core.EventStore#inMemory()}.
 */
@NullMarked
package io.factum.core;

import org.jspecify.annotations.NullMarked;
