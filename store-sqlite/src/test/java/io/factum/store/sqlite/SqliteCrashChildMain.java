package io.factum.store.sqlite;

import io.factum.testkit.tck.CrashChild;
import java.nio.file.Path;

/** The child JVM of the TCK's crash test: opens the store at {@code args[0]} and appends until killed. */
public final class SqliteCrashChildMain {

    private SqliteCrashChildMain() {}

    public static void main(String[] args) {
        CrashChild.run(SqliteStore.open(Path.of(args[0])));
    }
}
