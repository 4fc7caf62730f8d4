package io.factum.core.subscription;

import java.util.concurrent.TimeUnit;

/** What the runners share about their threads and settings. */
final class Workers {

    private Workers() {}

    /**
     * Ends a runner's thread after its closed flag was set: interrupts it if it is waiting (for a wake-up
     * or a backoff), else lets it finish its batch for up to 10 seconds before interrupting it.
     */
    static void stop(Thread thread, boolean waiting) {
        if (waiting) {
            thread.interrupt();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Checks a batch size: 1 to 10,000. */
    static int requireBatchSize(int size) {
        if (size < 1 || size > 10_000) {
            throw new IllegalArgumentException("batchSize must be 1-10000, got " + size);
        }
        return size;
    }
}
