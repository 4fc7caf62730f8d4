package io.factum.store.postgres;

import io.factum.core.EventStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.testkit.tck.SqlProjectionContract;
import io.factum.testkit.tck.StoreFixture;

/** SQL projections, their rebuilds and consumer groups on the PostgreSQL store. */
class PostgresSqlProjectionTest extends SqlProjectionContract {

    private static final StoreFixture FIXTURE = new PostgresStoreFixture();

    @Override
    protected StoreFixture fixture() {
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
