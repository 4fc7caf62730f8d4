package io.factum.store.postgres;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
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
import io.factum.testkit.tck.GapContract;
import io.factum.testkit.tck.HeldAppend;
import io.factum.testkit.tck.LeaseStoreContract;
import io.factum.testkit.tck.SnapshotContract;
import io.factum.testkit.tck.SqlCheckpointStoreContract;
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

    /** CheckpointStoreContract on the checkpoints kept in the store's database, fenced by its leases. */
    @Nested
    class Checkpoints extends CheckpointStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected CheckpointStore checkpoints(EventStore store) {
            return PostgresEventStore.checkpoints(store);
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return PostgresEventStore.leases(store);
        }
    }

    /** SqlCheckpointStoreContract on the checkpoints kept in the store's database. */
    @Nested
    class SqlCheckpoints extends SqlCheckpointStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected SqlCheckpointStore checkpoints(EventStore store) {
            return PostgresEventStore.checkpoints(store);
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return PostgresEventStore.leases(store);
        }
    }

    /**
     * LeaseStoreContract on the leases kept in the store's database. The TCK's clock is not the system
     * clock, so expiry is judged by it (see LeaseClock); PostgresReadSideTest covers the database's clock.
     */
    @Nested
    class Leases extends LeaseStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return PostgresEventStore.leases(store);
        }
    }

    /** DeadlineStoreContract on the deadlines kept in the store's database. */
    @Nested
    class Deadlines extends DeadlineStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected DeadlineStore deadlines(EventStore store) {
            return PostgresEventStore.deadlines(store);
        }
    }

    /** DurableDeadlineStoreContract on the deadlines kept in the store's database. */
    @Nested
    class DurableDeadlines extends DurableDeadlineStoreContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected DeadlineStore deadlines(EventStore store) {
            return PostgresEventStore.deadlines(store);
        }
    }
}
