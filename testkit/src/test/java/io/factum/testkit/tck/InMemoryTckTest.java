package io.factum.testkit.tck;

import io.factum.core.EventStore;
import org.junit.jupiter.api.Nested;

/** The in-memory store passes every suite that does not need durability or concurrent transactions. */
class InMemoryTckTest {

    static final StoreFixture FIXTURE = EventStore::inMemory;

    @Nested
    class Appends extends AppendContract {
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
    class Concurrency extends ConcurrencyContract {
        @Override
        protected StoreFixture fixture() {
            return FIXTURE;
        }
    }

    @Nested
    class Reads extends ReadContract {
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
    class Deletion extends DeletionContract {
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
}
