package io.factum.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StreamLocksTest {

    private final StreamLocks locks = new StreamLocks();

    @Test
    void work_on_one_stream_takes_turns_and_the_locks_go_away_afterwards() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<Future<Integer>> runs = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 40; i++) {
                runs.add(pool.submit(() -> locks.withLock("order-1", () -> {
                    mostAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    Thread.yield();
                    return inside.decrementAndGet();
                })));
            }
        }
        for (Future<Integer> run : runs) {
            run.get();
        }

        assertThat(mostAtOnce.get()).isEqualTo(1);
        assertThat(locks.size()).isZero();
    }

    @Test
    void work_on_another_stream_does_not_wait() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(2)) {
            Future<Boolean> first = pool.submit(() -> locks.withLock("order-1", () -> {
                holding.countDown();
                try {
                    return release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            String other = locks.withLock("order-2", () -> "ran while order-1 was held");

            assertThat(other).isEqualTo("ran while order-1 was held");
            release.countDown();
            assertThat(first.get()).isTrue();
        }
        assertThat(locks.size()).isZero();
    }

    @Test
    void the_same_thread_may_take_its_streams_lock_again() {
        String inner = locks.withLock("order-1", () -> locks.withLock("order-1", () -> "inner"));

        assertThat(inner).isEqualTo("inner");
        assertThat(locks.size()).isZero();
    }
}
