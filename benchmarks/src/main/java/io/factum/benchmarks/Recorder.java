package io.factum.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one client recorded in a measured window: the latency of each successful request by kind, how
 * many operations (commands or appends) it completed and how many requests were answered 409. Used by
 * the client's own thread and by the reads it starts beside its loop, hence synchronized (uncontended).
 */
final class Recorder {

    private final Map<String, Latencies> latencies = new TreeMap<>();
    private final Map<String, Long> conflicts = new TreeMap<>();
    private long operations;

    synchronized void latency(String kind, long nanos) {
        latencies.computeIfAbsent(kind, k -> new Latencies()).add(nanos);
    }

    synchronized void conflict(String kind) {
        conflicts.merge(kind, 1L, Long::sum);
    }

    /** One more command (or append) that succeeded. */
    synchronized void operation() {
        operations++;
    }

    /** The recorders of a window's clients, merged (latencies sorted). */
    static Merged merge(List<Recorder> recorders) {
        Map<String, List<Latencies>> byKind = new TreeMap<>();
        Map<String, Long> conflicts = new TreeMap<>();
        long operations = 0;
        for (Recorder recorder : recorders) {
            synchronized (recorder) {
                recorder.latencies.forEach((kind, values) ->
                        byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(values));
                recorder.conflicts.forEach((kind, n) -> conflicts.merge(kind, n, Long::sum));
                operations += recorder.operations;
            }
        }
        Map<String, Latencies> merged = new TreeMap<>();
        byKind.forEach((kind, all) -> merged.put(kind, Latencies.merge(all)));
        return new Merged(operations, merged, conflicts);
    }

    /** A window's figures over all its clients. */
    record Merged(long operations, Map<String, Latencies> latencies, Map<String, Long> conflicts) {
        long conflictCount() {
            return conflicts.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
