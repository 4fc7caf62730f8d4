package io.factum.store.postgres;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.testkit.tck.AppendContract;
import io.factum.testkit.tck.BadInputContract;
import io.factum.testkit.tck.ConcurrencyContract;
import io.factum.testkit.tck.CrashContract;
import io.factum.testkit.tck.DeletionContract;
import io.factum.testkit.tck.DurableStoreFixture;
import io.factum.testkit.tck.GapContract;
import io.factum.testkit.tck.HeldAppend;
import io.factum.testkit.tck.IdempotencyContract;
import io.factum.testkit.tck.MetadataContract;
import io.factum.testkit.tck.ReadContract;
import io.factum.testkit.tck.RestartContract;
import io.factum.testkit.tck.StoreFixture;
import java.util.List;
import org.junit.jupiter.api.Nested;

/** The event store TCK on PostgreSQL: every suite of factum-testkit. */
class PostgresTckTest {

    private static final PostgresStoreFixture FIXTURE = new PostgresStoreFixture();

    @Nested
    class Append extends AppendContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class BadInput extends BadInputContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class Concurrency extends ConcurrencyContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class Crash extends CrashContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class Deletion extends DeletionContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
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

    @Nested
    class Idempotency extends IdempotencyContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class Metadata extends MetadataContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class Read extends ReadContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class Restart extends RestartContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }
    }
}
