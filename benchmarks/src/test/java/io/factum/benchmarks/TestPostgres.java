package io.factum.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embedded PostgreSQL servers for the crash tests, configured like a production server as far as
 * durability goes ({@code fsync} and {@code synchronous_commit} on; the embedded server's own default has
 * the latter off): one shared by the tests of the JVM, and servers of their own for tests that crash them.
 */
final class TestPostgres {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private TestPostgres() {}

    private static final class Holder {
        static final EmbeddedPostgres SERVER = start(EmbeddedPostgres.builder());
    }

    /** The server shared by the tests of this JVM, started on first use and stopped when the JVM exits. */
    static Server shared() {
        return new Server(Holder.SERVER);
    }

    /** A schema name not used before in this JVM. */
    static String newSchema() {
        return "crash" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    /**
     * A server of its own on {@code dataDirectory} (initialised if empty, kept as it is otherwise, never
     * deleted) and {@code port}: so that a test can stop it and start it again on the same data.
     */
    static EmbeddedPostgres start(Path dataDirectory, int port) {
        return start(EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port));
    }

    private static EmbeddedPostgres start(EmbeddedPostgres.Builder builder) {
        try {
            return builder.setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "100")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded PostgreSQL server", e);
        }
    }

    /** A running server. */
    record Server(EmbeddedPostgres postgres) {
        String jdbcUrl() {
            return postgres.getJdbcUrl("postgres", "postgres");
        }
    }
}
