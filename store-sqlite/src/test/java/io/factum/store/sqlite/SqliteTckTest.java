package io.factum.store.sqlite;

import io.factum.testkit.tck.AppendContract;
import io.factum.testkit.tck.BadInputContract;
import io.factum.testkit.tck.ConcurrencyContract;
import io.factum.testkit.tck.CrashContract;
import io.factum.testkit.tck.DeletionContract;
import io.factum.testkit.tck.DurableStoreFixture;
import io.factum.testkit.tck.IdempotencyContract;
import io.factum.testkit.tck.MetadataContract;
import io.factum.testkit.tck.ReadContract;
import io.factum.testkit.tck.RestartContract;
import io.factum.testkit.tck.StoreFixture;
import org.junit.jupiter.api.Nested;

/**
 * The SQLite store against the TCK. It does not extend {@code GapContract}: that suite needs two append
 * transactions open at once, and SQLite has one writer, whose commit order is its position order, so the
 * gap it tests cannot occur.
 */
class SqliteTckTest {

    private static final DurableStoreFixture FIXTURE = new SqliteStoreFixture();

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
    class Deletion extends DeletionContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
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

    @Nested
    class Crash extends CrashContract {
        @Override
        protected DurableStoreFixture fixture() {
            return FIXTURE;
        }
    }
}
