/**
 * Process managers (sagas): long-running business processes, one instance per correlation, that react to
 * events by sending commands through the command bus and by scheduling durable deadlines.
 */
@NullMarked
package io.factum.core.process;

import org.jspecify.annotations.NullMarked;
