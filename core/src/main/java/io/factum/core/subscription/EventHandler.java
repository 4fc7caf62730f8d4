package io.factum.core.subscription;

import io.factum.core.RecordedEvent;

/**
 * Handles the events of a subscription whose effects live outside the store's database (a cache, a search
 * index, an e-mail, an HTTP call): delivered at least once, in log order. After a crash or a lost
 * checkpoint write an event may come again; {@link RecordedEvent#position()} (or the event id) is the key
 * to make the handler idempotent. A handler that throws is retried with backoff and then parked.
 */
@FunctionalInterface
public interface EventHandler {

    /** Handles one event. */
    void handle(RecordedEvent event) throws Exception;
}
