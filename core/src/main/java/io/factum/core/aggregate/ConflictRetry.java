package io.factum.core.aggregate;

/**
 * Whether a command may be decided again after a version conflict, and how often. A command is safe to
 * retry when deciding it on newer state is what the user meant (a deposit); it is not when the user
 * decided on what they saw (an edit of a text they read).
 *
 * @param maxAttempts how many times the command may be decided in all, 1 meaning no retry
 */
public record ConflictRetry(int maxAttempts) {

    /** No retry: the conflict reaches the caller. */
    public static final ConflictRetry NONE = new ConflictRetry(1);

    /**
     * Up to 10 decisions in all, with a random pause between them that grows from up to 2 ms to up to 64 ms
     * (see {@link #pause}): many writers on one aggregate at once take turns instead of colliding again.
     */
    public static final ConflictRetry DEFAULT = new ConflictRetry(10);

    /** The longest pause before a decision again, in milliseconds. */
    static final int MAX_PAUSE_MILLIS = 64;

    public ConflictRetry {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be 1 or more, got " + maxAttempts);
        }
    }

    /**
     * Waits before the decision after {@code attempt}: a random time below {@code 2^attempt} ms (at most
     * {@value #MAX_PAUSE_MILLIS}), so that writers that lost the same race do not meet again at once.
     *
     * @return false if the thread was interrupted (its flag is set again): give up and let the conflict
     *     reach the caller
     */
    public boolean pause(int attempt) {
        long bound = Math.min(1L << Math.min(attempt, 20), MAX_PAUSE_MILLIS);
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
