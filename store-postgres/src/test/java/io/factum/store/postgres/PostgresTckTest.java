package io.factum.store.postgres;

import io.factum.core.AppendCondition;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.StreamAppend;
import io.factum.testkit.tck.ConcurrentConditionContract;
import io.factum.testkit.tck.GapContract;
import io.factum.testkit.tck.HeldAppend;
import io.factum.testkit.tck.HeldAtomicAppend;
import io.factum.testkit.tck.SqlEventStoreTck;
import io.factum.testkit.tck.SqlStoreFixture;
import io.factum.testkit.tck.StoreFixture;
import java.util.List;
import org.junit.jupiter.api.Nested;

/**
 * The event store TCK on PostgreSQL: every suite of factum-testkit, the gap suite included. The TCK's
 * clock is not the system clock, so lease expiry is judged by it (see LeaseClock); PostgresReadSideTest
 * covers the database's clock.
 */
class PostgresTckTest extends SqlEventStoreTck {

    private static final PostgresStoreFixture FIXTURE = new PostgresStoreFixture();

    @Override
    protected SqlStoreFixture<?> fixture() {
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
            return FIXTURE.handle(store).holdAppend(streamId, ExpectedVersion.noStream(), events)::commit;
        }
    }

    @Nested
    class ConcurrentConditions extends ConcurrentConditionContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }

        @Override
        protected HeldAtomicAppend holdAppend(EventStore store, List<StreamAppend> appends, AppendCondition condition) {
            return FIXTURE.handle(store).holdAppend(appends, condition)::commit;
        }
    }
}
