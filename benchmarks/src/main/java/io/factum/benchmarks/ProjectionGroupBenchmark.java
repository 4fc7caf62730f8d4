package io.factum.benchmarks;

import io.factum.benchmarks.ReadSideBenchmark.BatchedOrderSummary;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.SqlEventStore;
import io.factum.core.subscription.ProjectionGroup;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.Subscription;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Three read models kept as one {@link ProjectionGroup} against three subscriptions of their own, and
 * read-model commits that do not wait for the disk against commits that do ({@link
 * SqlCheckpointStore#withSynchronousCommits()}), in one run on the same store, the variants interleaved:
 *
 * <ul>
 *   <li><b>catch-up</b>: the three order-summary read models (each an upsert per event, one JDBC batch per
 *       page) replay a log of N events from the start; events of the log per second, and the store's commits;
 *   <li><b>live</b>: the three read models start at the head while W writer threads (1, then 8) append single events
 *       for S seconds: the writers' appends per second beside the same writers with no read model (what the
 *       read side costs the writer), the commits and the waits for the disk per 1,000 events, and how long
 *       the read models need after the writers stop to show everything.
 * </ul>
 *
 * <p>Arguments: {@code [--stores sqlite,postgres] [--events 200000] [--batch 500] [--seconds 5] [--writers
 * 1,8] [--rounds 2] [--out file.md]}.
 */
public final class ProjectionGroupBenchmark {

    private static final PrintStream OUT = System.out;
    private static final int MEMBERS = 3;

    private enum Shape {
        SEPARATE("3 subscriptions"),
        GROUP("1 projection group of 3");

        final String label;

        Shape(String label) {
            this.label = label;
        }
    }

    private record Variant(Shape shape, boolean synchronous) {
        String label() {
            return shape.label + (synchronous ? ", commits wait for the disk" : ", commits do not wait");
        }
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant(Shape.SEPARATE, true),
            new Variant(Shape.SEPARATE, false),
            new Variant(Shape.GROUP, true),
            new Variant(Shape.GROUP, false));

    private final int events;
    private final int batchSize;
    private final int seconds;
    private final List<Integer> writers;
    private final int rounds;
    private final List<String> catchUpRows = new ArrayList<>();
    private final List<String> liveRows = new ArrayList<>();
    private int projections;

    private ProjectionGroupBenchmark(int events, int batchSize, int seconds, List<Integer> writers, int rounds) {
        this.events = events;
        this.batchSize = batchSize;
        this.seconds = seconds;
        this.writers = writers;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        List<String> stores = List.of("sqlite", "postgres");
        int events = 200_000;
        int batch = 500;
        int seconds = 5;
        List<Integer> writers = List.of(1, 8);
        int rounds = 2;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--stores" -> stores = List.of(value.split(","));
                case "--events" -> events = Integer.parseInt(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--writers" ->
                    writers = java.util.Arrays.stream(value.split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i] + "; expected --stores,"
                            + " --events, --batch, --seconds, --writers, --rounds or --out");
            }
        }
        ProjectionGroupBenchmark benchmark = new ProjectionGroupBenchmark(events, batch, seconds, writers, rounds);
        for (String store : stores) {
            try (Backend backend = Backend.of(store)) {
                benchmark.run(backend);
            }
        }
        String report = benchmark.report();
        OUT.println(report);
        if (out != null) {
            Files.writeString(out, report, StandardCharsets.UTF_8);
        }
    }

    private void run(Backend backend) throws Exception {
        OUT.println("== " + backend.name());
        try (SqlEventStore store = backend.openStore()) {
            SqlCheckpointStore checkpoints = store.checkpoints();
            StoreCounters.Source counters = backend.counters(store);
            ReadSideBenchmark.load(store, events);
            OUT.printf(Locale.ROOT, "loaded %,d events%n", events);
            for (int round = 1; round <= rounds; round++) {
                for (Variant variant : VARIANTS) {
                    catchUp(backend, store, checkpoints, counters, variant, round);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                for (int threads : writers) {
                    double alone = live(backend, store, checkpoints, counters, null, round, threads, 0);
                    for (Variant variant : VARIANTS) {
                        live(backend, store, checkpoints, counters, variant, round, threads, alone);
                    }
                }
            }
        }
    }

    // ---- the variants

    /** The running read models of one variant. */
    private record Running(List<ProjectionSubscription> members, AutoCloseable closer) {}

    private List<BatchedOrderSummary> newProjections() {
        List<BatchedOrderSummary> fresh = new ArrayList<>();
        projections++;
        for (int m = 0; m < MEMBERS; m++) {
            fresh.add(new BatchedOrderSummary("bench_group" + projections + "_" + (char) ('a' + m)));
        }
        return fresh;
    }

    private Running start(
            EventStore store, SqlCheckpointStore checkpoints, Variant variant, List<BatchedOrderSummary> of) {
        SqlCheckpointStore target = variant.synchronous() ? checkpoints.withSynchronousCommits() : checkpoints;
        if (variant.shape() == Shape.GROUP) {
            ProjectionGroup group = Subscription.sqlProjections(store, target, List.<SqlProjection>copyOf(of))
                    .batchSize(batchSize)
                    .start();
            return new Running(group.members(), group);
        }
        List<ProjectionSubscription> members = new ArrayList<>();
        for (BatchedOrderSummary projection : of) {
            members.add(Subscription.sqlProjection(store, target, projection)
                    .batchSize(batchSize)
                    .start());
        }
        return new Running(members, () -> members.forEach(ProjectionSubscription::close));
    }

    private static void await(Running running, Position head) throws InterruptedException {
        for (ProjectionSubscription member : running.members()) {
            if (!member.awaitPosition(head, Duration.ofMinutes(30))) {
                throw new IllegalStateException(member.name() + " did not reach " + head + ": " + member.status());
            }
        }
    }

    // ---- catch-up

    private void catchUp(
            Backend backend,
            EventStore store,
            SqlCheckpointStore checkpoints,
            StoreCounters.Source counters,
            Variant variant,
            int round)
            throws Exception {
        List<BatchedOrderSummary> projections = newProjections();
        Position head = store.headPosition();
        StoreCounters before = counters.settled();
        long begin = System.nanoTime();
        Running running = start(store, checkpoints, variant, projections);
        try {
            await(running, head);
        } finally {
            running.closer().close();
        }
        long nanos = System.nanoTime() - begin;
        StoreCounters spent = counters.settled().minus(before);
        for (BatchedOrderSummary projection : projections) {
            checkpoints.query(connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet rows =
                                statement.executeQuery("SELECT sum(count) FROM " + projection.name() + "_v1")) {
                    rows.next();
                    if (rows.getLong(1) != events) {
                        throw new IllegalStateException(
                                projection.name() + " counted " + rows.getLong(1) + " events, expected " + events);
                    }
                }
                return null;
            });
        }
        String row = String.format(
                Locale.ROOT,
                "| %s | %d | %s | %,.0f ev/s | %.1f s | %,d | %,d |",
                backend.name(),
                round,
                variant.label(),
                events / (nanos / 1e9),
                nanos / 1e9,
                spent.commits(),
                spent.durable());
        catchUpRows.add(row);
        OUT.println(row);
    }

    // ---- live

    /**
     * The writers append for {@link #seconds} with the variant's read models running ({@code null}: none);
     * returns the appends per second.
     */
    private double live(
            Backend backend,
            EventStore store,
            SqlCheckpointStore checkpoints,
            StoreCounters.Source counters,
            Variant variant,
            int round,
            int writers,
            double alone)
            throws Exception {
        Running running = null;
        if (variant != null) {
            List<BatchedOrderSummary> projections = newProjections();
            Position head = store.headPosition();
            // the read models start live: their checkpoints at the head, before their first read
            for (BatchedOrderSummary projection : projections) {
                checkpoints.save(projection.name() + "@v1", Position.START, head);
            }
            running = start(store, checkpoints, variant, projections);
            await(running, head);
        }
        StoreCounters before = counters.settled();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong appended = new AtomicLong();
        long begin = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> loops = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                loops.add(pool.submit(() -> {
                    while (System.nanoTime() < until) {
                        store.append(
                                "order-live" + ThreadLocalRandom.current().nextInt(1_000),
                                ExpectedVersion.any(),
                                ReadSideBenchmark.OrderSummary.event(UUID.randomUUID(), 100));
                        appended.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> loop : loops) {
                loop.get();
            }
        }
        double rate = appended.get() / ((System.nanoTime() - begin) / 1e9);
        long drainNanos = 0;
        if (running != null) {
            long drainBegin = System.nanoTime();
            try {
                await(running, store.headPosition());
            } finally {
                drainNanos = System.nanoTime() - drainBegin;
                running.closer().close();
            }
        }
        StoreCounters spent = counters.settled().minus(before);
        String row = String.format(
                Locale.ROOT,
                "| %s | %d | %d | %s | %,.0f | %s | %.0f | %.0f | %s |",
                backend.name(),
                round,
                writers,
                variant == null ? "no read model (baseline)" : variant.label(),
                rate,
                variant == null ? "—" : String.format(Locale.ROOT, "**%.2fx**", rate / alone),
                spent.commits() * 1000.0 / appended.get(),
                spent.durable() * 1000.0 / appended.get(),
                variant == null ? "—" : String.format(Locale.ROOT, "%.0f ms", drainNanos / 1e6));
        liveRows.add(row);
        OUT.println(row);
        return rate;
    }

    private String report() {
        StringBuilder report = new StringBuilder();
        report.append(String.format(
                Locale.ROOT,
                "Run on %d cores, Java %s; %,d events to catch up, batches of %d; live: %s writers for %d s; %d"
                        + " rounds, the variants interleaved.%n%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                events,
                batchSize,
                writers.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" and ")),
                seconds,
                rounds));
        report.append("| store | round | catch-up of 3 read models | log events/s | time | commits | waits for the"
                + " disk |\n|---|---|---|---|---|---|---|\n");
        catchUpRows.forEach(row -> report.append(row).append('\n'));
        report.append("\n| store | round | writers | read models while the writers append | appends/s |"
                + " / baseline | commits per 1,000 events | waits for the disk per 1,000 events | caught up after"
                + " the writers stopped |\n|---|---|---|---|---|---|---|---|---|\n");
        liveRows.forEach(row -> report.append(row).append('\n'));
        return report.toString();
    }
}
