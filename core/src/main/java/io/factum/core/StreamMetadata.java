package io.factum.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Settings kept per stream that limit what stream reads return, plus the user's own entries.
 *
 * <ul>
 *   <li>{@code maxCount}: reads see only the last {@code maxCount} events;
 *   <li>{@code maxAge}: reads see only events recorded within {@code maxAge} of the store's clock;
 *   <li>{@code truncateBefore}: reads see only events at this version or later.
 * </ul>
 *
 * <p>The limits apply to reads of the stream. Events they hide stay in the global log (catch-up
 * subscribers still receive them in order); they are never rewritten, so the log stays an audit trail.
 *
 * @param maxCount the number of most recent events a read returns, if limited
 * @param maxAge how old an event may be to be read, if limited
 * @param truncateBefore the first version a read returns, if set
 * @param custom the user's own entries, kept as given
 */
public record StreamMetadata(
        OptionalLong maxCount, Optional<Duration> maxAge, OptionalLong truncateBefore, Map<String, String> custom) {

    private static final StreamMetadata EMPTY =
            new StreamMetadata(OptionalLong.empty(), Optional.empty(), OptionalLong.empty(), Map.of());

    public StreamMetadata {
        maxCount.ifPresent(n -> {
            if (n < 1) {
                throw new IllegalArgumentException("maxCount must be 1 or more, got " + n);
            }
        });
        maxAge.ifPresent(age -> {
            if (age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("maxAge must be positive, got " + age);
            }
        });
        truncateBefore.ifPresent(v -> {
            if (v < 0) {
                throw new IllegalArgumentException("truncateBefore must be 0 or more, got " + v);
            }
        });
        custom = Map.copyOf(custom);
    }

    /** No limits and no custom entries. */
    public static StreamMetadata empty() {
        return EMPTY;
    }

    public StreamMetadata withMaxCount(long count) {
        return new StreamMetadata(OptionalLong.of(count), maxAge, truncateBefore, custom);
    }

    public StreamMetadata withMaxAge(Duration age) {
        return new StreamMetadata(maxCount, Optional.of(age), truncateBefore, custom);
    }

    public StreamMetadata withTruncateBefore(long version) {
        return new StreamMetadata(maxCount, maxAge, OptionalLong.of(version), custom);
    }

    /** This metadata with one more custom entry (replacing one of the same key). */
    public StreamMetadata with(String key, String value) {
        Map<String, String> entries = new TreeMap<>(custom);
        entries.put(key, value);
        return new StreamMetadata(maxCount, maxAge, truncateBefore, entries);
    }

    /**
     * The first version a forward read may return for a stream whose last version is {@code
     * lastVersion}, by {@code maxCount} and {@code truncateBefore} (not by age).
     */
    public long firstVisibleVersion(long lastVersion) {
        long first = 0;
        if (truncateBefore.isPresent()) {
            first = Math.max(first, truncateBefore.getAsLong());
        }
        if (maxCount.isPresent()) {
            first = Math.max(first, lastVersion - maxCount.getAsLong() + 1);
        }
        return first;
    }

    /** The oldest recorded-at time a read may return at {@code now}, if {@code maxAge} is set. */
    public Optional<Instant> oldestVisible(Instant now) {
        return maxAge.map(now::minus);
    }
}
