package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.AppendResult;
import io.factum.core.ConcurrencyException;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many threads racing: one winner per version, no gaps, no lost or duplicated events. */
public abstract class ConcurrencyContract extends TckSupport {

    private static final int THREADS = 16;

    private static <T> List<T> race(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void threads_racing_on_one_stream_with_exact_versions_get_one_winner_per_version() throws Exception {
        String stream = newStream("race");
        int target = 160;
        Set<Long> wonVersions = ConcurrentHashMap.newKeySet();
        List<UUID> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger conflicts = new AtomicInteger();

        List<Integer> wins = race(THREADS, () -> {
            int won = 0;
            while (true) {
                StreamSlice last = store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 1);
                long version = last.lastVersion();
                if (version + 1 >= target) {
                    return won;
                }
                EventData event = event("Raced", (int) version + 1);
                ExpectedVersion expected = version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
                try {
                    AppendResult result = store.append(stream, expected, event);
                    assertThat(wonVersions.add(result.streamVersion()))
                            .as("version %d won twice", result.streamVersion())
                            .isTrue();
                    acknowledged.add(event.eventId());
                    won++;
                } catch (ConcurrencyException lost) {
                    conflicts.incrementAndGet();
                }
            }
        });

        List<RecordedEvent> read = readWhole(stream);
        assertThat(wins.stream().mapToInt(Integer::intValue).sum()).isEqualTo(target);
        assertThat(versionsOf(read)).as("gapless versions").isEqualTo(longs(target));
        assertThat(new HashSet<>(idsOf(read))).as("no duplicate ids").hasSize(target);
        assertThat(idsOf(read)).containsExactlyInAnyOrderElementsOf(acknowledged);
        assertThat(wonVersions).hasSize(target);
    }

    @Test
    void threads_appending_with_any_to_one_stream_lose_nothing() throws Exception {
        String stream = newStream("race");
        List<UUID> acknowledged = Collections.synchronizedList(new ArrayList<>());

        race(THREADS, () -> {
            for (int i = 0; i < 10; i++) {
                List<EventData> batch = events(1 + i % 3);
                store.append(stream, ExpectedVersion.any(), batch);
                acknowledged.addAll(idsOfData(batch));
            }
            return null;
        });

        List<RecordedEvent> read = readWhole(stream);
        assertThat(versionsOf(read)).isEqualTo(longs(acknowledged.size()));
        assertThat(idsOf(read)).containsExactlyInAnyOrderElementsOf(acknowledged);
        assertStrictlyIncreasing(read);
    }

    @Test
    void a_catch_up_reader_running_beside_many_writers_sees_every_event_once_in_order() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        List<RecordedEvent> seen = new ArrayList<>();
        Thread reader = new Thread(() -> {
            Position checkpoint = Position.START;
            while (true) {
                boolean last = !writing.get();
                var slice = store.readAll(checkpoint, ReadDirection.FORWARD, 50, EventFilter.all());
                seen.addAll(slice.events());
                checkpoint = slice.next();
                if (last && slice.endOfLog()) {
                    return;
                }
            }
        });
        reader.start();
        List<UUID> acknowledged = Collections.synchronizedList(new ArrayList<>());
        try {
            race(THREADS, () -> {
                for (int i = 0; i < 20; i++) {
                    List<EventData> batch = events(1 + i % 2);
                    store.append(newStream("writer"), ExpectedVersion.noStream(), batch);
                    acknowledged.addAll(idsOfData(batch));
                }
                return null;
            });
        } finally {
            writing.set(false);
        }
        reader.join(TimeUnit.SECONDS.toMillis(60));

        assertThat(reader.isAlive()).as("reader finished").isFalse();
        assertStrictlyIncreasing(seen);
        assertThat(idsOf(seen)).containsExactlyInAnyOrderElementsOf(acknowledged);
    }

    @Test
    void appends_racing_on_a_few_hot_streams_keep_each_streams_order_in_the_global_log() throws Exception {
        List<String> hot = List.of(newStream("hot"), newStream("hot"), newStream("hot"));
        AtomicInteger turn = new AtomicInteger();

        race(THREADS, () -> {
            for (int i = 0; i < 12; i++) {
                int n = turn.incrementAndGet();
                String stream = hot.get(n % hot.size());
                ExpectedVersion expected = n % 2 == 0 ? ExpectedVersion.any() : ExpectedVersion.streamExists();
                try {
                    store.append(stream, expected, events(1 + n % 2));
                } catch (ConcurrencyException notYetCreated) {
                    store.append(stream, ExpectedVersion.any(), events(1));
                }
            }
            return null;
        });

        List<RecordedEvent> log = readWholeLog(store, EventFilter.all());
        assertStrictlyIncreasing(log);
        for (String stream : hot) {
            List<Long> inLogOrder = log.stream()
                    .filter(e -> e.streamId().equals(stream))
                    .map(RecordedEvent::streamVersion)
                    .toList();
            assertThat(inLogOrder)
                    .as("versions of %s in the order of the global log", stream)
                    .isEqualTo(longs(inLogOrder.size()));
        }
    }

    private static List<Long> longs(int count) {
        List<Long> list = new ArrayList<>(count);
        for (long i = 0; i < count; i++) {
            list.add(i);
        }
        return list;
    }
}
