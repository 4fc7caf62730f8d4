package io.factum.core.process;

import java.time.Duration;
import java.time.Instant;

/**
 * What a process manager's reaction may do besides changing its state. Nothing happens while the reaction
 * runs: the runtime sends the commands and (re)schedules or cancels the deadlines after it returned, then
 * records the step. Not thread-safe; valid only during the reaction.
 */
public interface ProcessActions {

    /** Sends a command through the command bus (its id is derived from the cause, so a retry dedupes). */
    void send(Object command);

    /** Schedules (or moves) the deadline {@code name} of this instance to now + {@code after}. */
    void schedule(String name, Duration after, String payloadJson);

    /** Schedules (or moves) the deadline {@code name} of this instance to {@code at}. */
    void scheduleAt(String name, Instant at, String payloadJson);

    /** Cancels the deadline {@code name} of this instance, if it is pending. */
    void cancel(String name);

    /** Ends the instance: later events for it are ignored and its pending deadlines are cancelled. */
    void complete();

    /** The time by the process manager's clock. */
    Instant now();
}
