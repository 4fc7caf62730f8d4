package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.gdpr.SubjectKeyStore;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * SubjectKeyStoreContract on {@link SubjectKeyStore#inMemory()}, one per store. Not durable, so {@link
 * DurableSubjectKeyStoreContract} is not run here.
 */
class InMemorySubjectKeyStoreTckTest extends SubjectKeyStoreContract {

    private final Map<EventStore, SubjectKeyStore> keys = Collections.synchronizedMap(new IdentityHashMap<>());

    @Override
    protected StoreFixture fixture() {
        return EventStore::inMemory;
    }

    @Override
    protected SubjectKeyStore subjectKeys(EventStore store) {
        return keys.computeIfAbsent(store, s -> SubjectKeyStore.inMemory());
    }
}
