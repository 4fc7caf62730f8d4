package io.factum.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * A PostgreSQL primary and a hot standby that streams from it, both zonky embedded servers, for the tests of
 * reads from a replica. The standby is made the way pg_basebackup makes one, with the server's own
 * functions: {@code pg_backup_start}, a copy of the data directory, {@code pg_backup_stop} (whose label
 * file goes into the copy), the WAL written meanwhile, {@code standby.signal} and {@code primary_conninfo}.
 */
final class HotStandby implements AutoCloseable {

    /** Files of a running server that a base backup leaves out. */
    private static final Set<String> LEFT_OUT = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");

    final EmbeddedPostgres primary;
    final EmbeddedPostgres standby;
    private final Path root;

    private HotStandby(EmbeddedPostgres primary, EmbeddedPostgres standby, Path root) {
        this.primary = primary;
        this.standby = standby;
        this.root = root;
    }

    static HotStandby start() {
        Path root;
        try {
            root = Files.createTempDirectory("factum-standby");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedPostgres primary = null;
        try {
            Path primaryData = root.resolve("primary");
            primary = EmbeddedPostgres.builder()
                    .setDataDirectory(primaryData)
                    .setServerConfig("wal_level", "replica")
                    .setServerConfig("max_wal_senders", "4")
                    .setServerConfig("max_connections", "100")
                    .start();
            Path standbyData = root.resolve("standby");
            baseBackup(primary, primaryData, standbyData);
            EmbeddedPostgres standby = EmbeddedPostgres.builder()
                    .setDataDirectory(standbyData)
                    .setCleanDataDirectory(false)
                    .setServerConfig("hot_standby", "on")
                    .setServerConfig("max_connections", "100")
                    .start();
            return new HotStandby(primary, standby, root);
        } catch (IOException | SQLException e) {
            if (primary != null) {
                try {
                    primary.close();
                } catch (IOException ignored) {
                    // the failure that matters is e
                }
            }
            throw new IllegalStateException("could not start a primary and a hot standby: " + e, e);
        }
    }

    private static void baseBackup(EmbeddedPostgres primary, Path from, Path to) throws SQLException, IOException {
        try (Connection connection = DriverManager.getConnection(primary.getJdbcUrl("postgres", "postgres"));
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_backup_start('factum-standby', true)");
            copy(from, to, true);
            String label;
            try (ResultSet rs = statement.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
                rs.next();
                label = rs.getString(1);
            }
            Files.writeString(to.resolve("backup_label"), label, StandardCharsets.UTF_8);
            // the WAL from the backup's start to its end, which the standby replays before it streams
            copy(from.resolve("pg_wal"), to.resolve("pg_wal"), false);
        }
        Files.writeString(to.resolve("standby.signal"), "");
        Files.writeString(
                to.resolve("postgresql.auto.conf"),
                "primary_conninfo = 'host=localhost port=" + primary.getPort() + " user=postgres'\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** Copies a directory tree; without WAL: leaves pg_wal's files out (the directory stays). */
    private static void copy(Path from, Path to, boolean withoutWal) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                Files.createDirectories(target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path relative = from.relativize(file);
                if (LEFT_OUT.contains(relative.toString()) || (withoutWal && relative.startsWith("pg_wal"))) {
                    return FileVisitResult.CONTINUE;
                }
                Files.copy(file, to.resolve(relative.toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // a file the server removed while it was copied (a temporary file): not part of the backup
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void close() throws IOException {
        try {
            standby.close();
        } finally {
            primary.close();
        }
    }
}
