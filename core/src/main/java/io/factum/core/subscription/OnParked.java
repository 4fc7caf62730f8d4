package io.factum.core.subscription;

/**
 * What a subscription does with the later events of a stream once one of its events was parked.
 *
 * <p>A read model built from a stream's events in order goes wrong silently if it applies event 5 of an
 * order after event 4 failed and was parked: it shows a state the stream never had. {@link #HOLD_STREAM}
 * keeps such a read model honest by parking the stream's later events behind the failed one (without
 * trying them), until it is replayed; other streams go on. {@link #SKIP_EVENT} applies them, which suits
 * handlers whose events are independent of each other (a notification per event, say).
 *
 * <p>SQL projections hold streams by default; handler subscriptions skip by default. Set it with the
 * builders' {@code onParked}.
 */
public enum OnParked {

    /**
     * A parked event holds back the rest of its own stream: each later event of the stream is parked too,
     * with the error "held back", until the first is replayed ({@link Subscription#replayParked}), which
     * replays the stream's held events after it, in order. Like the sequenced dead-letter queue of Axon
     * Framework, with the stream as the sequence.
     */
    HOLD_STREAM,

    /** A parked event is skipped: the later events of its stream are applied as if it had not been there. */
    SKIP_EVENT
}
