package io.factum.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs two sides of a workload (Factum and its baseline) in alternating slices on the same threads: a, b,
 * a, b, ... so that both meet the same load of a shared machine, and sums each side's slices.
 */
final class Interleaved {

    @FunctionalInterface
    interface Operation {
        void run() throws Exception;
    }

    /** What the server did while a side ran; both values are -1 where they cannot be read. */
    interface Gauge {
        /** CPU time used by the database server's processes so far, in nanoseconds. */
        long serverCpuNanos();

        /** The next transaction id of the database: the number of write transactions so far. */
        long nextTransactionId();

        Gauge NONE = new Gauge() {
            @Override
            public long serverCpuNanos() {
                return -1;
            }

            @Override
            public long nextTransactionId() {
                return -1;
            }
        };
    }

    /** One side's sums: events per second, latency percentiles, and the server's work per event. */
    record Result(
            double eventsPerSecond,
            double p50Millis,
            double p99Millis,
            OptionalDouble serverMicrosPerEvent,
            OptionalDouble transactionsPerThousandEvents) {}

    private static final class Sums {
        long events;
        long nanos;
        long serverCpu;
        long transactions;
        boolean gauged = true;
        final List<Latencies> latencies = new ArrayList<>();

        Result result() {
            Latencies merged = Latencies.merge(latencies);
            double seconds = nanos / 1e9;
            return new Result(
                    events / seconds,
                    merged.percentileMillis(50),
                    merged.percentileMillis(99),
                    gauged && events > 0 ? OptionalDouble.of(serverCpu / 1e3 / events) : OptionalDouble.empty(),
                    gauged && events > 0 ? OptionalDouble.of(transactions * 1000.0 / events) : OptionalDouble.empty());
        }
    }

    private Interleaved() {}

    /**
     * Warms both sides up for one slice each, then runs {@code rounds} rounds of a slice of each.
     *
     * @return the two sides' results, a's first
     */
    static Result[] run(
            int threads, int eventsPerOperation, int rounds, long sliceMillis, Operation a, Operation b, Gauge gauge)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            slice(pool, threads, eventsPerOperation, sliceMillis, a, gauge, new Sums());
            slice(pool, threads, eventsPerOperation, sliceMillis, b, gauge, new Sums());
            Sums first = new Sums();
            Sums second = new Sums();
            for (int round = 0; round < rounds; round++) {
                slice(pool, threads, eventsPerOperation, sliceMillis, a, gauge, first);
                slice(pool, threads, eventsPerOperation, sliceMillis, b, gauge, second);
            }
            return new Result[] {first.result(), second.result()};
        } finally {
            pool.shutdownNow();
        }
    }

    private static void slice(
            ExecutorService pool,
            int threads,
            int eventsPerOperation,
            long millis,
            Operation operation,
            Gauge gauge,
            Sums sums)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Latencies>> futures = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                Latencies latencies = new Latencies();
                start.await();
                while (running.get()) {
                    long begin = System.nanoTime();
                    operation.run();
                    latencies.add(System.nanoTime() - begin);
                }
                return latencies;
            }));
        }
        long cpu = gauge.serverCpuNanos();
        long transaction = gauge.nextTransactionId();
        long begin = System.nanoTime();
        start.countDown();
        Thread.sleep(millis);
        running.set(false);
        long operations = 0;
        for (Future<Latencies> future : futures) {
            Latencies latencies = future.get();
            operations += latencies.size();
            sums.latencies.add(latencies);
        }
        sums.nanos += System.nanoTime() - begin;
        sums.events += operations * eventsPerOperation;
        long cpuAfter = gauge.serverCpuNanos();
        long transactionAfter = gauge.nextTransactionId();
        if (cpu < 0 || cpuAfter < 0 || transaction < 0 || transactionAfter < 0) {
            sums.gauged = false;
        } else {
            sums.serverCpu += cpuAfter - cpu;
            sums.transactions += transactionAfter - transaction;
        }
    }
}
