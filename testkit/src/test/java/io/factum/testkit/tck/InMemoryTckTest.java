package io.factum.testkit.tck;

import io.factum.core.EventStore;

/** The in-memory store passes every suite that does not need durability or concurrent transactions. */
class InMemoryTckTest extends EventStoreTck {

    @Override
    protected StoreFixture fixture() {
        return EventStore::inMemory;
    }
}
