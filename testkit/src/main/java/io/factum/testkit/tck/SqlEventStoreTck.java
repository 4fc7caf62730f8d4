package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.SqlCheckpointStore;
import org.junit.jupiter.api.Nested;

/**
 * Every suite of {@link DurableEventStoreTck}, and the suites of what a {@link io.factum.core.SqlEventStore}
 * keeps beside its events in the same database (snapshots, checkpoints, leases, deadlines, subject keys),
 * reached through the store's own methods: a SQL store's whole TCK is this class and a fixture.
 */
public abstract class SqlEventStoreTck extends DurableEventStoreTck {

    @Override
    protected abstract SqlStoreFixture<?> fixture();

    /** SnapshotContract on the store's snapshots. */
    @Nested
    class Snapshots extends SnapshotContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected SnapshotStore snapshots(EventStore store) {
            return fixture().handle(store).snapshots();
        }
    }

    /** DurableSnapshotContract on the store's snapshots. */
    @Nested
    class DurableSnapshots extends DurableSnapshotContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected SnapshotStore snapshots(EventStore store) {
            return fixture().handle(store).snapshots();
        }
    }

    /** CheckpointStoreContract on the store's checkpoints, fenced by its leases. */
    @Nested
    class Checkpoints extends CheckpointStoreContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected CheckpointStore checkpoints(EventStore store) {
            return fixture().handle(store).checkpoints();
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return fixture().handle(store).leases();
        }
    }

    /** SqlCheckpointStoreContract on the store's checkpoints. */
    @Nested
    class SqlCheckpoints extends SqlCheckpointStoreContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected SqlCheckpointStore checkpoints(EventStore store) {
            return fixture().handle(store).checkpoints();
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return fixture().handle(store).leases();
        }
    }

    /** LeaseStoreContract on the store's leases, on its clock. */
    @Nested
    class Leases extends LeaseStoreContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return fixture().handle(store).leases();
        }
    }

    /** DeadlineStoreContract on the store's deadlines. */
    @Nested
    class Deadlines extends DeadlineStoreContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected DeadlineStore deadlines(EventStore store) {
            return fixture().handle(store).deadlines();
        }
    }

    /** DurableDeadlineStoreContract on the store's deadlines. */
    @Nested
    class DurableDeadlines extends DurableDeadlineStoreContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected DeadlineStore deadlines(EventStore store) {
            return fixture().handle(store).deadlines();
        }
    }

    /** SubjectKeyStoreContract on the store's subject keys. */
    @Nested
    class SubjectKeys extends SubjectKeyStoreContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected SubjectKeyStore subjectKeys(EventStore store) {
            return fixture().handle(store).subjectKeys();
        }
    }

    /** DurableSubjectKeyStoreContract on the store's subject keys. */
    @Nested
    class DurableSubjectKeys extends DurableSubjectKeyStoreContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected SubjectKeyStore subjectKeys(EventStore store) {
            return fixture().handle(store).subjectKeys();
        }
    }

    /** SqlProjectionContract on the store's checkpoints and leases. */
    @Nested
    class SqlProjections extends SqlProjectionContract {
        @Override
        protected SqlStoreFixture<?> fixture() {
            return SqlEventStoreTck.this.fixture();
        }

        @Override
        protected SqlCheckpointStore checkpoints(EventStore store) {
            return fixture().handle(store).checkpoints();
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return fixture().handle(store).leases();
        }
    }
}
