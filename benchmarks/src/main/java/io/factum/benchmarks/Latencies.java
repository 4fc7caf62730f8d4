package io.factum.benchmarks;

import java.util.Arrays;

/** Latencies recorded by one thread, in nanoseconds; merged after a run. */
final class Latencies {

    private long[] values = new long[1 << 14];
    private int size;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    int size() {
        return size;
    }

    static Latencies merge(Iterable<Latencies> all) {
        Latencies merged = new Latencies();
        for (Latencies each : all) {
            for (int i = 0; i < each.size; i++) {
                merged.add(each.values[i]);
            }
        }
        Arrays.sort(merged.values, 0, merged.size);
        return merged;
    }

    /** The given percentile in milliseconds, of a merged (sorted) set. */
    double percentileMillis(double percentile) {
        if (size == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(size - 1, Math.ceil(percentile / 100.0 * size) - 1);
        return values[Math.max(0, index)] / 1_000_000.0;
    }
}
