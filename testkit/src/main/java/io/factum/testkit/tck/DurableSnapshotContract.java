package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.StoreOptions;
import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a durable store's snapshot store keeps across a restart. */
public abstract class DurableSnapshotContract extends TckSupport {

    @Override
    protected abstract DurableStoreFixture fixture();

    /** The snapshot store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract SnapshotStore snapshots(EventStore store);

    @Test
    void a_snapshot_survives_closing_and_reopening_the_store() {
        List<String> location = fixture().newLocation();
        EventStore first =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));
        String stream = newStream("account");
        String replaced = newStream("account");
        Snapshot saved = new Snapshot(
                stream,
                99,
                "com.example.Account",
                2,
                "{\"balance\": 99}",
                Instant.parse("2024-05-06T07:08:09.123456Z"));
        snapshots(first).save(saved);
        snapshots(first).save(SnapshotContract.snapshot(replaced, 3));
        snapshots(first).save(SnapshotContract.snapshot(replaced, 4));
        first.close();

        EventStore second =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));

        Snapshot loaded = snapshots(second).load(stream).orElseThrow();
        assertThat(loaded).usingRecursiveComparison().ignoringFields("data").isEqualTo(saved);
        assertSameJson(loaded.data(), saved.data());
        assertThat(snapshots(second).load(replaced).orElseThrow().version()).isEqualTo(4);
        snapshots(second).save(SnapshotContract.snapshot(replaced, 2));
        assertThat(snapshots(second).load(replaced).orElseThrow().version())
                .as("an older snapshot does not replace one saved before the restart")
                .isEqualTo(4);
    }
}
