package io.factum.benchmarks;

import io.factum.core.AllSlice;
import io.factum.core.AppendCondition;
import io.factum.core.AppendConditionFailedException;
import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventQuery;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.SqlEventStore;
import io.factum.core.StreamAppend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Conditional appends (the dynamic consistency boundary) against plain stream appends, in one run, on
 * each store, reported as ratios to the plain appends of the same round. The workloads run in alternating
 * slices (plain, tagged, conditional, contended, multi-stream, plain, ...), so each meets the same load of
 * a shared machine:
 *
 * <ul>
 *   <li><b>plain</b>: one event to the thread's own stream, expected version {@code any};
 *   <li><b>tagged</b>: the same with a tag of the thread's own (on PostgreSQL: its own transaction and a
 *       shared advisory lock, not group commit);
 *   <li><b>conditional</b>: the same on the condition that no event with the thread's tag came after the
 *       thread's last append (no contention: every thread has its own tag);
 *   <li><b>contended</b>: every thread's events carry one tag, and each reads the tag's events since what it
 *       saw, then appends on the condition that none came since; a lost race reads and tries again. The
 *       figure is won appends per second; the lost ones are counted apart;
 *   <li><b>multi-stream</b>: one event to each of two streams of the thread's, all or nothing.
 * </ul>
 *
 * <p>Arguments: {@code [--stores sqlite,postgres] [--threads 1,8] [--seconds 10] [--rounds 5] [--out
 * file.md]}: {@code --seconds} is each workload's measured time per thread count, in {@code --rounds}
 * slices.
 */
public final class ConditionalAppendBenchmark {

    private static final PrintStream OUT = System.out;
    private static final List<String> WORKLOADS =
            List.of("plain", "tagged", "conditional", "contended", "multi-stream");

    private ConditionalAppendBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<String> stores = List.of("sqlite", "postgres");
        List<Integer> threads = List.of(1, 8);
        int seconds = 10;
        int rounds = 5;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--stores" -> stores = List.of(value.split(","));
                case "--threads" ->
                    threads = java.util.Arrays.stream(value.split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; the options are --stores, --threads, --seconds, --rounds and --out");
            }
        }
        List<String> report = new ArrayList<>();
        report.add("Run on " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + "; " + seconds + " s per workload and thread count, in "
                + rounds + " interleaved slices; events of 60 bytes.");
        report.add("");
        report.add("| store | threads | workload | appends/s | vs plain | lost races per won append |");
        report.add("| --- | ---: | --- | ---: | ---: | ---: |");
        for (String name : stores) {
            try (Backend backend = Backend.of(name);
                    SqlEventStore store = backend.openStore()) {
                for (int count : threads) {
                    Map<String, long[]> totals = new LinkedHashMap<>();
                    WORKLOADS.forEach(w -> totals.put(w, new long[3]));
                    String hot = "hot:" + UUID.randomUUID();
                    for (int round = 0; round < rounds; round++) {
                        for (String workload : WORKLOADS) {
                            long[] result = run(store, workload, count, seconds * 1000L / rounds, hot);
                            long[] total = totals.get(workload);
                            for (int k = 0; k < 3; k++) {
                                total[k] += result[k];
                            }
                        }
                    }
                    double plain = rate(totals.get("plain"));
                    for (String workload : WORKLOADS) {
                        long[] total = totals.get(workload);
                        String line = String.format(
                                Locale.ROOT,
                                "| %s | %d | %s | %,.0f | %.2f | %s |",
                                name,
                                count,
                                workload,
                                rate(total),
                                rate(total) / plain,
                                workload.equals("contended")
                                        ? String.format(Locale.ROOT, "%.2f", total[2] / (double) Math.max(1, total[0]))
                                        : "");
                        report.add(line);
                        OUT.println(line);
                    }
                }
            }
        }
        if (out != null) {
            try {
                Files.write(out, report);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        report.forEach(OUT::println);
    }

    private static double rate(long[] total) {
        return total[0] / (total[1] / 1e9);
    }

    /** Runs one slice: {appends won, nanoseconds, races lost}. */
    private static long[] run(SqlEventStore store, String workload, int threads, long millis, String hot)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong won = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    String mine = UUID.randomUUID().toString();
                    String tag = "own:" + mine;
                    Position seen = Position.START;
                    while (!stop.get()) {
                        switch (workload) {
                            case "plain" -> store.append("bench-" + mine, ExpectedVersion.any(), event());
                            case "tagged" ->
                                store.append("bench-" + mine, ExpectedVersion.any(), event().withTags(tag));
                            case "conditional" -> {
                                AppendResult result = store.append(
                                        "bench-" + mine,
                                        ExpectedVersion.any(),
                                        List.of(event().withTags(tag)),
                                        AppendCondition.failIfEventsMatch(EventQuery.tags(tag), seen));
                                seen = result.position();
                            }
                            case "contended" -> {
                                AllSlice read = store.read(EventQuery.tags(hot), seen, 1000);
                                seen = read.next();
                                try {
                                    store.append(
                                            "bench-" + mine,
                                            ExpectedVersion.any(),
                                            List.of(event().withTags(hot)),
                                            AppendCondition.failIfEventsMatch(EventQuery.tags(hot), seen));
                                } catch (AppendConditionFailedException raced) {
                                    lost.incrementAndGet();
                                    continue;
                                }
                            }
                            case "multi-stream" ->
                                store.append(List.of(
                                        StreamAppend.to("bench-" + mine + "-a", ExpectedVersion.any(), event()),
                                        StreamAppend.to("bench-" + mine + "-b", ExpectedVersion.any(), event())));
                            default -> throw new IllegalArgumentException(workload);
                        }
                        won.incrementAndGet();
                    }
                } finally {
                    done.countDown();
                }
            });
            workers.add(worker);
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(millis);
        stop.set(true);
        done.await();
        return new long[] {won.get(), System.nanoTime() - start, lost.get()};
    }

    private static EventData event() {
        return EventData.of(UUID.randomUUID(), "Benchmarked", Backend.DATA).withMetadata(Backend.METADATA);
    }
}
