/**
 * Observability in one place: {@link io.factum.core.observation.Observed} times and traces commands, event
 * handlers, SQL projections and appends as Micrometer Observations, and {@link
 * io.factum.core.observation.Sampled} keeps gauges and health checks answering while the store is slow.
 */
@NullMarked
package io.factum.core.observation;

import org.jspecify.annotations.NullMarked;
