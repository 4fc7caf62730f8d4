package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.SqlEventStore;
import io.factum.core.StoreOptions;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A fixture for a store in a SQL database: it opens typed handles ({@code S}), and gives back the handle of
 * any store it opened ({@link #handle}), so the TCK's suites reach checkpoints, leases, deadlines, snapshots
 * and keys as methods of the store, without knowing its class.
 *
 * @param <S> the handle the store's {@code open} returns
 */
public abstract class SqlStoreFixture<S extends SqlEventStore> implements DurableStoreFixture {

    /** The stores this fixture opened, by identity, forgotten once the TCK dropped them. */
    private final Map<EventStore, S> opened = Collections.synchronizedMap(new WeakHashMap<>());

    /** Opens the store at a location from {@link #newLocation()}, creating it on first open. */
    protected abstract S openStore(List<String> location, StoreOptions options);

    @Override
    public final S create(StoreOptions options) {
        return open(newLocation(), options);
    }

    @Override
    public final S open(List<String> location, StoreOptions options) {
        S store = openStore(location, options);
        opened.put(store, store);
        return store;
    }

    /**
     * The typed handle of {@code store}, which this fixture opened.
     *
     * @throws IllegalArgumentException if this fixture did not open it
     */
    public S handle(EventStore store) {
        S handle = opened.get(store);
        if (handle == null) {
            throw new IllegalArgumentException("the store " + store + " was not opened by this fixture");
        }
        return handle;
    }
}
