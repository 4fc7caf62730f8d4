package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.StoreOptions;
import java.util.List;

/**
 * A fixture for a store whose data outlives the process: the TCK closes and reopens it (a restart) and
 * kills a child JVM that writes to it (a crash).
 */
public interface DurableStoreFixture extends StoreFixture {

    /**
     * A place for a new, empty store (a file, a schema), described by the arguments a child JVM needs to
     * open it.
     */
    List<String> newLocation();

    /** Opens the store at a location from {@link #newLocation()}, creating it on first open. */
    EventStore open(List<String> location, StoreOptions options);

    /**
     * The class a child JVM runs, with the location as its arguments, to open the same store and hand it
     * to {@link CrashChild#run}. It must be on the test class path.
     */
    Class<?> childMainClass();
}
