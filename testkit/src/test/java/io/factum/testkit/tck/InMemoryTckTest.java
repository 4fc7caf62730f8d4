package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.aggregate.SnapshotStore;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;

/** The in-memory store passes every suite that does not need durability or concurrent transactions. */
class InMemoryTckTest extends EventStoreTck {

    @Override
    protected StoreFixture fixture() {
        return EventStore::inMemory;
    }

    /** SnapshotContract on {@link SnapshotStore#inMemory()}, one per store. */
    @Nested
    class Snapshots extends SnapshotContract {

        private final Map<EventStore, SnapshotStore> byStore = Collections.synchronizedMap(new IdentityHashMap<>());

        @Override
        protected StoreFixture fixture() {
            return InMemoryTckTest.this.fixture();
        }

        @Override
        protected SnapshotStore snapshots(EventStore store) {
            return byStore.computeIfAbsent(store, s -> SnapshotStore.inMemory());
        }
    }
}
