package io.factum.testkit.tck;

import org.junit.jupiter.api.Nested;

/**
 * Every suite a store must pass, bundled: extend it in a store's tests with the store's fixture. Durable
 * stores extend {@link DurableEventStoreTck} instead; stores with concurrent write transactions also
 * extend {@link GapContract} in a nested class.
 *
 * <pre>{@code
 * class MyStoreTckTest extends EventStoreTck {
 *     protected StoreFixture fixture() { return options -> MyStore.open(options); }
 * }
 * }</pre>
 */
public abstract class EventStoreTck {

    /** The store under test. */
    protected abstract StoreFixture fixture();

    /** AppendContract on this store. */
    @Nested
    class Appends extends AppendContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** IdempotencyContract on this store. */
    @Nested
    class Idempotency extends IdempotencyContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** ConcurrencyContract on this store. */
    @Nested
    class Concurrency extends ConcurrencyContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** ReadContract on this store. */
    @Nested
    class Reads extends ReadContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** MetadataContract on this store. */
    @Nested
    class Metadata extends MetadataContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** DeletionContract on this store. */
    @Nested
    class Deletion extends DeletionContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** BadInputContract on this store. */
    @Nested
    class BadInput extends BadInputContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** MultiStreamAppendContract on this store. */
    @Nested
    class MultiStreamAppends extends MultiStreamAppendContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }

    /** AppendConditionContract on this store. */
    @Nested
    class AppendConditions extends AppendConditionContract {
        @Override
        protected StoreFixture fixture() {
            return EventStoreTck.this.fixture();
        }
    }
}
