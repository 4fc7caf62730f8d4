package io.factum.examples.spring.boot;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The bank on PostgreSQL: {@code factum.store.type=postgres} and a DataSource bean (a pool on an embedded
 * server); nothing else of the application changes.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"factum.store.type=postgres", "factum.store.postgres.schema=bank"})
@Import(BankOnPostgresTest.EmbeddedDatabase.class)
class BankOnPostgresTest extends BankContract {

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
