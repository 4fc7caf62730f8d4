package io.factum.benchmarks;

import io.factum.core.EventStore;
import io.factum.core.subscription.Subscription;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.file.Path;

/**
 * The child JVM of {@link ProjectorCrashTest}: runs the slowed-down projection over the SQLite store at
 * {@code args[0]} in batches of 200 until the parent kills it.
 */
public final class ProjectorCrashChildMain {

    private ProjectorCrashChildMain() {}

    public static void main(String[] args) throws InterruptedException {
        EventStore store = SqliteEventStore.open(Path.of(args[0]));
        Subscription.sqlProjection(store, SqliteEventStore.checkpoints(store), new ProjectorCrashProjection(400_000))
                .batchSize(200)
                .start();
        System.err.println("projection started");
        Thread.sleep(Long.MAX_VALUE);
    }
}
