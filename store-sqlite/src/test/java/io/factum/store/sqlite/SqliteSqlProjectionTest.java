package io.factum.store.sqlite;

import io.factum.core.EventStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.testkit.tck.SqlProjectionContract;
import io.factum.testkit.tck.StoreFixture;

/** SQL projections, their rebuilds and consumer groups on the SQLite store. */
class SqliteSqlProjectionTest extends SqlProjectionContract {

    private static final StoreFixture FIXTURE = new SqliteStoreFixture();

    @Override
    protected StoreFixture fixture() {
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
