package io.factum.spring.boot.starter;

import io.factum.core.SqlEventStore;
import io.factum.store.postgres.PostgresEventStore;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/**
 * Opens the PostgreSQL store. A class of its own, so that the starter's configuration loads without
 * factum-store-postgres (an optional dependency): only this class names it.
 */
final class PostgresStores {

    private static final String STORE_CLASS = "io.factum.store.postgres.PostgresEventStore";

    private PostgresStores() {}

    static SqlEventStore open(DataSource dataSource, FactumProperties.Postgres settings) {
        if (!ClassUtils.isPresent(STORE_CLASS, PostgresStores.class.getClassLoader())) {
            throw new FactumConfigurationException("factum.store.type=postgres needs the PostgreSQL store on the"
                    + " class path, but " + STORE_CLASS + " is not there; add the dependency"
                    + " io.factum:factum-store-postgres");
        }
        return Opener.open(dataSource, settings);
    }

    /** Loaded only once the store's class is known to be there. */
    private static final class Opener {
        static SqlEventStore open(DataSource dataSource, FactumProperties.Postgres settings) {
            PostgresEventStore.Builder builder = PostgresEventStore.builder()
                    .dataSource(dataSource)
                    .tablePrefix(settings.tablePrefix())
                    .writers(settings.writers());
            settings.schemaName().ifPresent(builder::schema);
            return builder.open();
        }
    }
}
