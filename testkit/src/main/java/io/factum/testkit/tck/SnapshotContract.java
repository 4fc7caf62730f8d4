package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The snapshot store that belongs to a store: one snapshot per stream, the one at the highest version
 * saved, every field kept (the taken-at time at least to the microsecond, the data as JSON of the same
 * meaning), and bad snapshots refused with {@link IllegalArgumentException} before anything is kept.
 */
public abstract class SnapshotContract extends TckSupport {

    /** The snapshot store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract SnapshotStore snapshots(EventStore store);

    /** A snapshot of type {@code Account}, schema version 1, with data {@code {"balance": version}}. */
    protected static Snapshot snapshot(String streamId, long version) {
        return new Snapshot(
                streamId,
                version,
                "Account",
                1,
                "{\"balance\":" + version + "}",
                Instant.parse("2024-05-06T07:08:09Z"));
    }

    @Nested
    class Loading {

        @Test
        void finds_nothing_for_a_stream_without_a_snapshot() {
            assertThat(snapshots(store).load(newStream("account"))).isEmpty();
        }

        @Test
        void returns_every_field_that_was_saved() {
            String stream = newStream("account");
            Instant taken = Instant.parse("2024-05-06T07:08:09.123456789Z");
            String data = "{\"owner\": \"Größe ☃ 𝄞 日本語\", \"balance\": 12.5, \"lines\": [1, 2], \"open\": true}";
            snapshots(store).save(new Snapshot(stream, 41, "com.example.Account", 3, data, taken));

            Snapshot loaded = snapshots(store).load(stream).orElseThrow();

            assertThat(loaded.streamId()).isEqualTo(stream);
            assertThat(loaded.version()).isEqualTo(41);
            assertThat(loaded.type()).isEqualTo("com.example.Account");
            assertThat(loaded.schemaVersion()).isEqualTo(3);
            assertSameJson(loaded.data(), data);
            assertThat(loaded.takenAt())
                    .as("taken-at, kept at least to the microsecond")
                    .isIn(taken, taken.truncatedTo(ChronoUnit.MICROS));
        }

        @Test
        void keeps_the_snapshots_of_different_streams_apart() {
            String first = newStream("account");
            String second = newStream("account");
            snapshots(store).save(snapshot(first, 5));
            snapshots(store).save(snapshot(second, 9));
            snapshots(store).save(snapshot(first, 7));

            assertThat(snapshots(store).load(first).orElseThrow().version()).isEqualTo(7);
            assertThat(snapshots(store).load(second).orElseThrow().version()).isEqualTo(9);
            assertThat(snapshots(store).load(newStream("account"))).isEmpty();
        }
    }

    @Nested
    class Saving_again {

        private final String stream = newStream("account");

        @Test
        void a_newer_version_replaces_the_snapshot() {
            snapshots(store).save(snapshot(stream, 10));
            snapshots(store).save(snapshot(stream, 20));

            Snapshot loaded = snapshots(store).load(stream).orElseThrow();
            assertThat(loaded.version()).isEqualTo(20);
            assertSameJson(loaded.data(), "{\"balance\":20}");
        }

        @Test
        void an_older_version_leaves_the_newer_snapshot_in_place() {
            snapshots(store).save(snapshot(stream, 20));
            snapshots(store).save(snapshot(stream, 10));

            Snapshot loaded = snapshots(store).load(stream).orElseThrow();
            assertThat(loaded.version()).isEqualTo(20);
            assertSameJson(loaded.data(), "{\"balance\":20}");
        }

        @Test
        void the_same_version_replaces_the_snapshot_so_a_new_state_schema_takes_over() {
            snapshots(store).save(snapshot(stream, 10));
            snapshots(store)
                    .save(new Snapshot(
                            stream, 10, "AccountV2", 2, "{\"cents\":1000}", Instant.parse("2024-06-01T00:00:00Z")));

            Snapshot loaded = snapshots(store).load(stream).orElseThrow();
            assertThat(loaded.type()).isEqualTo("AccountV2");
            assertThat(loaded.schemaVersion()).isEqualTo(2);
            assertSameJson(loaded.data(), "{\"cents\":1000}");
        }

        @Test
        void concurrent_saves_end_with_the_highest_version() throws Exception {
            int threads = 4;
            long versions = 200;
            SnapshotStore snapshots = snapshots(store);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> saves = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    // each thread saves its share of the versions in a shuffled order
                    int thread = t;
                    List<Long> mine = new ArrayList<>(LongStream.range(0, versions)
                            .filter(v -> v % threads == thread)
                            .boxed()
                            .toList());
                    Collections.shuffle(mine, new Random(t));
                    saves.add(pool.submit(() -> mine.forEach(v -> snapshots.save(snapshot(stream, v)))));
                }
                for (Future<?> save : saves) {
                    save.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            Snapshot loaded = snapshots.load(stream).orElseThrow();
            assertThat(loaded.version()).isEqualTo(versions - 1);
            assertSameJson(loaded.data(), "{\"balance\":" + (versions - 1) + "}");
        }
    }

    @Nested
    class Refusing {

        private final String stream = newStream("account");

        private void assertRefused(Snapshot bad, String message) {
            assertThatThrownBy(() -> snapshots(store).save(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(message);
        }

        @Test
        void data_that_is_not_json() {
            snapshots(store).save(snapshot(stream, 1));

            assertRefused(
                    new Snapshot(stream, 2, "Account", 1, "{\"balance\": 2", Instant.EPOCH),
                    "snapshot of " + stream + ": data is not valid JSON: ");
            assertRefused(
                    new Snapshot(stream, 2, "Account", 1, "", Instant.EPOCH),
                    "snapshot of " + stream + ": data must be a JSON document, got an empty text");
            assertRefused(
                    new Snapshot(stream, 2, "Account", 1, "{} {}", Instant.EPOCH),
                    "snapshot of " + stream + ": data must hold one JSON document, found more after it");
            assertThat(snapshots(store).load(stream).orElseThrow().version())
                    .as("the snapshot kept before")
                    .isEqualTo(1);
        }

        @Test
        void an_empty_stream_id() {
            assertRefused(snapshot("", 1), "snapshot refused: stream id must be 1-200 characters, got 0");
        }

        @Test
        void a_negative_version() {
            assertRefused(snapshot(stream, -1), "snapshot of " + stream + ": version must be 0 or more, got -1");
            assertThat(snapshots(store).load(stream)).isEmpty();
        }

        @Test
        void a_blank_type() {
            assertRefused(
                    new Snapshot(stream, 1, " ", 1, "{}", Instant.EPOCH),
                    "snapshot of " + stream + ": type must not be blank");
        }

        @Test
        void a_load_with_an_empty_stream_id() {
            assertThatThrownBy(() -> snapshots(store).load(""))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("snapshot refused: stream id must be 1-200 characters, got 0");
        }
    }
}
