package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.StoreOptions;

/**
 * How the TCK gets stores to test. Each call to {@link #create} must return a new, empty store that
 * shares nothing with stores created before. The TCK closes the stores it creates.
 */
public interface StoreFixture {

    /** A new, empty store with these options. */
    EventStore create(StoreOptions options);
}
