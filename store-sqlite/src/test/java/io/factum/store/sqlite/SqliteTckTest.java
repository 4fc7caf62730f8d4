package io.factum.store.sqlite;

import io.factum.testkit.tck.SqlEventStoreTck;
import io.factum.testkit.tck.SqlStoreFixture;

/**
 * The SQLite store against the TCK, with what it keeps beside the events. It does not extend {@code
 * GapContract}: that suite needs two append transactions open at once, and SQLite has one writer, whose
 * commit order is its position order, so the gap it tests cannot occur.
 */
class SqliteTckTest extends SqlEventStoreTck {

    private static final SqliteStoreFixture FIXTURE = new SqliteStoreFixture();

    @Override
    protected SqlStoreFixture<?> fixture() {
        return FIXTURE;
    }
}
