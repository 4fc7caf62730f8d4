package io.factum.testkit.tck;

import org.junit.jupiter.api.Nested;

/**
 * Every suite of {@link EventStoreTck} plus the ones that need a store whose data outlives it: restart
 * and crash safety, and reading more than the heap holds.
 */
public abstract class DurableEventStoreTck extends EventStoreTck {

    @Override
    protected abstract DurableStoreFixture fixture();

    /** RestartContract on this store. */
    @Nested
    class Restart extends RestartContract {
        @Override
        protected DurableStoreFixture fixture() {
            return DurableEventStoreTck.this.fixture();
        }
    }

    /** BoundedMemoryContract on this store. */
    @Nested
    class BoundedMemory extends BoundedMemoryContract {
        @Override
        protected DurableStoreFixture fixture() {
            return DurableEventStoreTck.this.fixture();
        }
    }

    /** CrashContract on this store. */
    @Nested
    class Crash extends CrashContract {
        @Override
        protected DurableStoreFixture fixture() {
            return DurableEventStoreTck.this.fixture();
        }
    }

    /** CommandCrashContract on this store. */
    @Nested
    class CommandCrash extends CommandCrashContract {
        @Override
        protected DurableStoreFixture fixture() {
            return DurableEventStoreTck.this.fixture();
        }
    }
}
