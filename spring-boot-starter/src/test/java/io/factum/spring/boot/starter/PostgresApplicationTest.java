package io.factum.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The ledger application on PostgreSQL ({@code factum.store.type=postgres}): the store opens on the
 * application's DataSource, here a pool on an embedded server (zonky), with Factum's tables in a schema of
 * their own.
 */
@SpringBootTest(
        classes = {LedgerApplication.class, PostgresApplicationTest.EmbeddedDatabase.class},
        properties = {
            LedgerConfiguration.EVENT_TYPES,
            "factum.store.type=postgres",
            "factum.store.postgres.schema=ledger"
        })
class PostgresApplicationTest extends LedgerApplicationContract {

    @Autowired
    DataSource dataSource;

    @Test
    void keeps_the_events_in_the_application_s_database_in_the_configured_schema() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                ResultSet tables = connection.getMetaData().getTables(null, "ledger", "factum_events", null)) {
            assertThat(tables.next()).as("ledger.factum_events exists").isTrue();
        }
    }

    /** A PostgreSQL server for the test JVM, and the application's pool on it. */
    @TestConfiguration(proxyBeanMethods = false)
    static class EmbeddedDatabase {

        @Bean(destroyMethod = "close")
        EmbeddedPostgres embeddedPostgres() throws IOException {
            return EmbeddedPostgres.builder().start();
        }

        @Bean(destroyMethod = "close")
        HikariDataSource dataSource(EmbeddedPostgres server) {
            HikariDataSource pool = new HikariDataSource();
            pool.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
            pool.setMaximumPoolSize(10);
            return pool;
        }
    }
}
