/**
 * Commands: the {@link io.factum.core.command.CommandBus} with exactly one handler per command type, a
 * middleware chain (validation, authorization, deduplication, metrics, tracing, logging) and typed
 * results that tell acceptance, rule rejection, invalid input, refusal and conflict apart.
 */
@NullMarked
package io.factum.core.command;

import org.jspecify.annotations.NullMarked;
