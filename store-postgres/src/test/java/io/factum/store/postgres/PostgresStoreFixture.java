package io.factum.store.postgres;

import io.factum.core.StoreOptions;
import io.factum.testkit.tck.SqlStoreFixture;
import java.util.List;

/**
 * Stores on the test JVM's embedded server, each in a fresh schema. A location is the JDBC url and the
 * schema, which is all a child JVM needs to open the same store.
 */
final class PostgresStoreFixture extends SqlStoreFixture<PgEventStore> {

    @Override
    public List<String> newLocation() {
        return List.of(EmbeddedServer.jdbcUrl(), EmbeddedServer.newSchema());
    }

    @Override
    protected PgEventStore openStore(List<String> location, StoreOptions options) {
        return open(location.get(0), location.get(1), options);
    }

    static PgEventStore open(String jdbcUrl, String schema, StoreOptions options) {
        return PostgresEventStore.builder()
                .jdbcUrl(jdbcUrl)
                .schema(schema)
                .options(options)
                .maxPoolSize(8)
                .openStore();
    }

    @Override
    public Class<?> childMainClass() {
        return PostgresCrashChildMain.class;
    }
}
