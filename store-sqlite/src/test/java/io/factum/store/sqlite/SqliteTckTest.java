package io.factum.store.sqlite;

import io.factum.core.EventStore;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.testkit.tck.CheckpointStoreContract;
import io.factum.testkit.tck.DeadlineStoreContract;
import io.factum.testkit.tck.DurableDeadlineStoreContract;
import io.factum.testkit.tck.DurableEventStoreTck;
import io.factum.testkit.tck.DurableSnapshotContract;
import io.factum.testkit.tck.DurableStoreFixture;
import io.factum.testkit.tck.LeaseStoreContract;
import io.factum.testkit.tck.SnapshotContract;
import io.factum.testkit.tck.SqlCheckpointStoreContract;
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

    /** CheckpointStoreContract on the checkpoints kept in the store's file, fenced by its leases. */
    @Nested
    class Checkpoints extends CheckpointStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected CheckpointStore checkpoints(EventStore store) {
            return SqliteEventStore.checkpoints(store);
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return SqliteEventStore.leases(store);
        }
    }

    /** SqlCheckpointStoreContract on the checkpoints kept in the store's file. */
    @Nested
    class SqlCheckpoints extends SqlCheckpointStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected SqlCheckpointStore checkpoints(EventStore store) {
            return SqliteEventStore.checkpoints(store);
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return SqliteEventStore.leases(store);
        }
    }

    /** LeaseStoreContract on the leases kept in the store's file, on the store's clock. */
    @Nested
    class Leases extends LeaseStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return SqliteEventStore.leases(store);
        }
    }

    /** DeadlineStoreContract on the deadlines kept in the store's file. */
    @Nested
    class Deadlines extends DeadlineStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected DeadlineStore deadlines(EventStore store) {
            return SqliteEventStore.deadlines(store);
        }
    }

    /** DurableDeadlineStoreContract on the deadlines kept in the store's file. */
    @Nested
    class DurableDeadlines extends DurableDeadlineStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected DeadlineStore deadlines(EventStore store) {
            return SqliteEventStore.deadlines(store);
        }
    }
}
