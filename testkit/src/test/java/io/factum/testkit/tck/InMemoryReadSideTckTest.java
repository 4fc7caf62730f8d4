package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.LeaseStore;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;

/**
 * The in-memory read side (checkpoints, leases, deadlines) against its contracts: one of each per store,
 * the leases on the test's clock. There is no in-memory {@code SqlCheckpointStore}, so {@link
 * SqlCheckpointStoreContract} is not run here.
 */
class InMemoryReadSideTckTest {

    /** CheckpointStoreContract on {@link CheckpointStore#inMemory(LeaseStore)}. */
    @Nested
    class Checkpoints extends CheckpointStoreContract {

        private final Map<EventStore, LeaseStore> leases = Collections.synchronizedMap(new IdentityHashMap<>());
        private final Map<EventStore, CheckpointStore> checkpoints =
                Collections.synchronizedMap(new IdentityHashMap<>());

        @Override
        protected StoreFixture fixture() {
            return EventStore::inMemory;
        }

        @Override
        protected CheckpointStore checkpoints(EventStore store) {
            return checkpoints.computeIfAbsent(store, s -> CheckpointStore.inMemory(leases(s)));
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return leases.computeIfAbsent(store, s -> LeaseStore.inMemory(clock));
        }
    }

    /** LeaseStoreContract on {@link LeaseStore#inMemory}. */
    @Nested
    class Leases extends LeaseStoreContract {

        private final Map<EventStore, LeaseStore> leases = Collections.synchronizedMap(new IdentityHashMap<>());

        @Override
        protected StoreFixture fixture() {
            return EventStore::inMemory;
        }

        @Override
        protected LeaseStore leases(EventStore store) {
            return leases.computeIfAbsent(store, s -> LeaseStore.inMemory(clock));
        }
    }

    /** DeadlineStoreContract on {@link DeadlineStore#inMemory()}. */
    @Nested
    class Deadlines extends DeadlineStoreContract {

        private final Map<EventStore, DeadlineStore> deadlines = Collections.synchronizedMap(new IdentityHashMap<>());

        @Override
        protected StoreFixture fixture() {
            return EventStore::inMemory;
        }

        @Override
        protected DeadlineStore deadlines(EventStore store) {
            return deadlines.computeIfAbsent(store, s -> DeadlineStore.inMemory());
        }
    }
}
