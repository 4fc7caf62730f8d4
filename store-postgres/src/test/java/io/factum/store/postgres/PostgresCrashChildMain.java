package io.factum.store.postgres;

import io.factum.core.StoreOptions;
import io.factum.testkit.tck.CrashChild;

/**
 * The child JVM of the crash test: a client of the parent's embedded server that appends until it is
 * killed. Arguments: the JDBC url and the schema.
 */
public final class PostgresCrashChildMain {

    private PostgresCrashChildMain() {}

    public static void main(String[] args) {
        CrashChild.run(PostgresStoreFixture.open(args[0], args[1], StoreOptions.defaults()));
    }
}
