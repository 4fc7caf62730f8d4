package io.factum.core;

/**
 * The limits a store enforces on appends. Breaking one fails the append with a clear error, and nothing
 * is written.
 *
 * @param maxEventBytes the largest event, counted as the UTF-8 bytes of its type, data and metadata
 * @param maxEventsPerAppend the most events one append may carry
 */
public record StoreLimits(int maxEventBytes, int maxEventsPerAppend) {

    /** 1 MiB per event, 10,000 events per append. */
    public static final StoreLimits DEFAULT = new StoreLimits(1024 * 1024, 10_000);

    public StoreLimits {
        if (maxEventBytes < 1 || maxEventsPerAppend < 1) {
            throw new IllegalArgumentException("limits must be 1 or more, got maxEventBytes=" + maxEventBytes
                    + ", maxEventsPerAppend=" + maxEventsPerAppend);
        }
    }
}
