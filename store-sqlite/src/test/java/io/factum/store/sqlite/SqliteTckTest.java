package io.factum.store.sqlite;

import io.factum.testkit.tck.DurableEventStoreTck;
import io.factum.testkit.tck.DurableStoreFixture;

/**
 * The SQLite store against the TCK. It does not extend {@code GapContract}: that suite needs two append
 * transactions open at once, and SQLite has one writer, whose commit order is its position order, so the
 * gap it tests cannot occur.
 */
class SqliteTckTest extends DurableEventStoreTck {

    private static final DurableStoreFixture FIXTURE = new SqliteStoreFixture();

    @Override
    protected DurableStoreFixture fixture() {
        return FIXTURE;
    }
}
