package io.factum.benchmarks;

import io.factum.core.SqlEventStore;
import io.factum.core.subscription.Subscription;
import java.util.Arrays;

/**
 * The child JVM of {@link ProjectorCrashTest}: runs the slowed-down projection group over the store named
 * by the arguments ({@link CrashTarget#of}) in batches of 200 until the parent kills it.
 */
public final class ProjectorCrashChildMain {

    private ProjectorCrashChildMain() {}

    public static void main(String[] args) throws InterruptedException {
        CrashTarget target = CrashTarget.of(args);
        SqlEventStore store = target.open();
        Subscription.sqlProjections(store, store.checkpoints(), ProjectorCrashProjection.group(400_000))
                .batchSize(200)
                .start();
        System.err.println("projection group started on " + target + " " + Arrays.toString(args));
        Thread.sleep(Long.MAX_VALUE);
    }
}
