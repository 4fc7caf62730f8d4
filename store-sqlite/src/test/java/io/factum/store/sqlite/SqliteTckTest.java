package io.factum.store.sqlite;

import io.factum.core.EventStore;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.testkit.tck.DurableEventStoreTck;
import io.factum.testkit.tck.DurableSnapshotContract;
import io.factum.testkit.tck.DurableStoreFixture;
import io.factum.testkit.tck.SnapshotContract;
import org.junit.jupiter.api.Nested;

/**
 * The SQLite store against the TCK. It does not extend {@code GapContract}: that suite needs two append
 * transactions open at once, and SQLite has one writer, whose commit order is its position order, so the
 * gap it tests cannot occur.
 */
class SqliteTckTest extends DurableEventStoreTck {

    private static final DurableStoreFixture FIXTURE = new SqliteStoreFixture();

    @Override
    protected DurableStoreFixture fixture() {
        return FIXTURE;
    }

    /** SnapshotContract on the snapshots kept in the store's file. */
    @Nested
    class Snapshots extends SnapshotContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected SnapshotStore snapshots(EventStore store) {
            return SqliteEventStore.snapshots(store);
        }
    }

    /** DurableSnapshotContract on the snapshots kept in the store's file. */
    @Nested
    class DurableSnapshots extends DurableSnapshotContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected SnapshotStore snapshots(EventStore store) {
            return SqliteEventStore.snapshots(store);
        }
    }
}
