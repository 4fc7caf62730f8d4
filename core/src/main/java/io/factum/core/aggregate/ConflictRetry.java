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

    /** Up to 5 decisions in all. */
    public static final ConflictRetry DEFAULT = new ConflictRetry(5);

    public ConflictRetry {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be 1 or more, got " + maxAttempts);
        }
    }
}
