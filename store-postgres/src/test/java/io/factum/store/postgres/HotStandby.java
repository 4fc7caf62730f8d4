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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL primary and a hot standby that streams from it, both zonky embedded servers, for the tests of
 * reads from a replica and of fail-over. The standby is made the way pg_basebackup makes one, with the
 * server's own functions: {@code pg_backup_start}, a copy of the data directory, {@code pg_backup_stop}
 * (whose label file goes into the copy), the WAL written meanwhile, {@code standby.signal} and {@code
 * primary_conninfo}.
 *
 * <p>For fail-over: replication can be synchronous ({@link Replication#SYNCHRONOUS}: the primary's commits
 * wait until the standby has flushed them), the primary can be killed ({@link #killPrimary()}, SIGKILL to
 * every process of the server, as when its machine dies), the standby cut off from it ({@link
 * #disconnectStandby()}) and promoted ({@link #promoteStandby()}), and {@link #failoverUrl()} names both
 * servers for pgjdbc to find whichever is the primary.
 */
final class HotStandby implements AutoCloseable {

    /** The standby's {@code application_name}, which {@code synchronous_standby_names} names. */
    private static final String STANDBY_NAME = "factum_standby";

    /** Files of a running server that a base backup leaves out. */
    private static final Set<String> LEFT_OUT = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");

    /** How the primary's commits wait for the standby. */
    enum Replication {
        /** Commits do not wait for the standby (PostgreSQL's default). */
        ASYNCHRONOUS,
        /** {@code synchronous_standby_names = '*'}: a commit returns once the standby has flushed it. */
        SYNCHRONOUS
    }

    final EmbeddedPostgres primary;
    final EmbeddedPostgres standby;
    private final Path root;
    private boolean primaryKilled;

    private HotStandby(EmbeddedPostgres primary, EmbeddedPostgres standby, Path root) {
        this.primary = primary;
        this.standby = standby;
        this.root = root;
    }

    static HotStandby start() {
        return start(Replication.ASYNCHRONOUS);
    }

    static HotStandby start(Replication replication) {
        Path root;
        try {
            root = Files.createTempDirectory("factum-standby");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedPostgres primary = null;
        try {
            Path primaryData = root.resolve("primary");
            // zonky turns synchronous_commit off by default: a commit would then wait for neither the disk
            // nor a synchronous standby
            EmbeddedPostgres.Builder primaryBuilder = EmbeddedPostgres.builder()
                    .setDataDirectory(primaryData)
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("wal_level", "replica")
                    .setServerConfig("max_wal_senders", "4")
                    .setServerConfig("max_connections", "100");
            if (replication == Replication.SYNCHRONOUS) {
                // set on the primary's command line, so the standby's copy of the configuration has none:
                // promoted, it does not wait for a standby of its own that does not exist
                // (a name, not '*': pg_ctl starts the server through a shell, which would expand a '*')
                primaryBuilder.setServerConfig("synchronous_standby_names", STANDBY_NAME);
            }
            primary = primaryBuilder.start();
            Path standbyData = root.resolve("standby");
            baseBackup(primary, primaryData, standbyData);
            EmbeddedPostgres standby = EmbeddedPostgres.builder()
                    .setDataDirectory(standbyData)
                    .setCleanDataDirectory(false)
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("hot_standby", "on")
                    .setServerConfig("max_connections", "100")
                    .start();
            awaitStreaming(primary, replication == Replication.SYNCHRONOUS ? "sync" : "async");
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

    /** Waits until the primary streams to the standby in the given {@code pg_stat_replication.sync_state}. */
    private static void awaitStreaming(EmbeddedPostgres primary, String syncState) throws SQLException {
        try (Connection connection = DriverManager.getConnection(primary.getJdbcUrl("postgres", "postgres"));
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = ?")) {
            statement.setString(1, syncState);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 1) {
                        return;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(
                            "the standby did not stream from the primary (" + syncState + ") within 30 s");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the standby", e);
                }
            }
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
                "primary_conninfo = 'host=localhost port=" + primary.getPort() + " user=postgres application_name="
                        + STANDBY_NAME + "'\n",
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

    /** Waits until the standby has replayed everything the primary has written so far (asynchronous commits too). */
    void awaitReplayed() throws SQLException, InterruptedException {
        String lsn;
        try (Connection connection = DriverManager.getConnection(primary.getJdbcUrl("postgres", "postgres"));
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            lsn = rs.getString(1);
        }
        try (Connection connection = DriverManager.getConnection(standby.getJdbcUrl("postgres", "postgres"));
                PreparedStatement statement =
                        connection.prepareStatement("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
            statement.setString(1, lsn);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (ResultSet rs = statement.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(
                            "the standby did not replay the primary's WAL up to " + lsn + " within 30 s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** A JDBC url naming both servers, for pgjdbc to connect to whichever of them is the primary now. */
    String failoverUrl() {
        return "jdbc:postgresql://localhost:" + primary.getPort() + ",localhost:" + standby.getPort()
                + "/postgres?user=postgres&targetServerType=primary";
    }

    /**
     * Kills every process of the primary server with SIGKILL (the postmaster first, so none is restarted),
     * as when its machine dies: nothing is flushed or shut down, its connections break. Returns once they
     * have all exited.
     */
    void killPrimary() throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readAllLines(root.resolve("primary").resolve("postmaster.pid"))
                .get(0)
                .trim());
        ProcessHandle postmaster =
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no primary with pid " + pid));
        List<ProcessHandle> processes = new ArrayList<>();
        processes.add(postmaster);
        postmaster.descendants().forEach(processes::add);
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : processes) {
            process.onExit().join();
        }
        primaryKilled = true;
    }

    /**
     * Cuts the standby off from the primary (an empty {@code primary_conninfo}, reloaded) and waits until its
     * WAL receiver has stopped: what the primary writes from then on does not reach the standby.
     */
    void disconnectStandby() throws SQLException, InterruptedException {
        try (Connection connection = DriverManager.getConnection(standby.getJdbcUrl("postgres", "postgres"));
                Statement statement = connection.createStatement()) {
            statement.execute("ALTER SYSTEM SET primary_conninfo = ''");
            statement.execute("SELECT pg_reload_conf()");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_wal_receiver")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the standby's WAL receiver did not stop within 30 s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** Promotes the standby to a primary ({@code pg_promote}) and returns once it takes writes. */
    void promoteStandby() throws SQLException {
        try (Connection connection = DriverManager.getConnection(standby.getJdbcUrl("postgres", "postgres"));
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT pg_promote(true, 60)")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new IllegalStateException("the standby was not promoted within 60 s");
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            standby.close();
        } finally {
            try {
                if (!primaryKilled) {
                    primary.close();
                }
            } finally {
                delete(root);
            }
        }
    }

    private static void delete(Path tree) throws IOException {
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
