package io.factum.store.postgres;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.testkit.tck.DurableEventStoreTck;
import io.factum.testkit.tck.DurableSnapshotContract;
import io.factum.testkit.tck.DurableStoreFixture;
import io.factum.testkit.tck.GapContract;
import io.factum.testkit.tck.HeldAppend;
import io.factum.testkit.tck.SnapshotContract;
import io.factum.testkit.tck.StoreFixture;
import java.util.List;
import org.junit.jupiter.api.Nested;

/** The event store TCK on PostgreSQL: every suite of factum-testkit, the gap suite included. */
class PostgresTckTest extends DurableEventStoreTck {

    private static final PostgresStoreFixture FIXTURE = new PostgresStoreFixture();

    @Override
    protected DurableStoreFixture fixture() {
        return FIXTURE;
    }

    @Nested
    class Gap extends GapContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected HeldAppend holdAppend(EventStore store, String streamId, List<EventData> events) {
            return ((PgEventStore) store).holdAppend(streamId, ExpectedVersion.noStream(), events)::commit;
        }
    }

    /** SnapshotContract on the snapshots kept in the store's database. */
    @Nested
    class Snapshots extends SnapshotContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected SnapshotStore snapshots(EventStore store) {
            return PostgresEventStore.snapshots(store);
        }
    }

    /** DurableSnapshotContract on the snapshots kept in the store's database. */
    @Nested
    class DurableSnapshots extends DurableSnapshotContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected SnapshotStore snapshots(EventStore store) {
            return PostgresEventStore.snapshots(store);
        }
    }
}
