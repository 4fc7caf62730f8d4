package io.factum.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a store's writer busy with a write that waits, so that the writes submitted meanwhile queue up and
 * share the writer's next transaction (a group commit). {@link #open()} lets the writer go on.
 */
final class WriterGate implements AutoCloseable {

    private final Writer writer;
    private final CountDownLatch release = new CountDownLatch(1);

    private WriterGate(Writer writer) {
        this.writer = writer;
    }

    /** Blocks {@code store}'s writer until {@link #open()}; returns once the blocking write runs. */
    static WriterGate block(SqliteStore store) throws InterruptedException {
        WriterGate gate = new WriterGate(store.writer());
        CountDownLatch running = new CountDownLatch(1);
        Thread.ofPlatform()
                .start(() -> gate.writer.submit(session -> {
                    running.countDown();
                    try {
                        gate.release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Boolean.TRUE;
                }));
        assertThat(running.await(10, TimeUnit.SECONDS))
                .as("the blocking write started")
                .isTrue();
        return gate;
    }

    /** Waits until {@code count} writes wait for the writer's next transaction. */
    void awaitQueued(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writer.queued() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(writer.queued()).as("writes queued").isEqualTo(count);
    }

    /** Lets the writer go on: the queued writes run in its next transaction. */
    void open() {
        release.countDown();
    }

    @Override
    public void close() {
        open();
    }
}
