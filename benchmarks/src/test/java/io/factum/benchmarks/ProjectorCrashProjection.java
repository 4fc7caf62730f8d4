package io.factum.benchmarks;

import io.factum.core.RecordedEvent;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The crash tests' read model: per stream, how many events it saw, the sum of their amounts and of their
 * stream versions (an event applied twice or lost changes all three), in table {@code <name>_v1}. It can be
 * slowed down per event so that a kill lands in the middle of the log, and most likely inside a batch's
 * open transaction. The tests run two of them, {@link #NAMES}, as one projection group.
 */
final class ProjectorCrashProjection implements SqlProjection {

    /** The two projections of the crash tests' group; their checkpoints are {@code <name>@v1}. */
    static final List<String> NAMES = List.of("crash_summary", "crash_totals");

    private final String name;
    private final long pauseNanos;

    ProjectorCrashProjection(String name, long pauseNanos) {
        this.name = name;
        this.pauseNanos = pauseNanos;
    }

    /** The group of the {@link #NAMES}, each pausing {@code pauseNanos} per event. */
    static List<SqlProjection> group(long pauseNanos) {
        return NAMES.stream()
                .<SqlProjection>map(name -> new ProjectorCrashProjection(name, pauseNanos))
                .toList();
    }

    /** The table of projection {@code name}. */
    static String table(String name) {
        return name + "_v1";
    }

    static long amount(RecordedEvent event) {
        String data = event.data();
        int at = data.indexOf("\"amount\":") + 9;
        while (data.charAt(at) == ' ') {
            at++;
        }
        long value = 0;
        while (at < data.length() && Character.isDigit(data.charAt(at))) {
            value = value * 10 + (data.charAt(at++) - '0');
        }
        return value;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + context.table(name) + " (id TEXT PRIMARY KEY,"
                    + " count BIGINT NOT NULL, total BIGINT NOT NULL, versions BIGINT NOT NULL)");
        }
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
        if (pauseNanos > 0) {
            LockSupport.parkNanos(pauseNanos);
        }
        String table = context.table(name);
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + table
                + " (id, count, total, versions) VALUES (?, 1, ?, ?) ON CONFLICT (id) DO UPDATE SET count = "
                + table + ".count + 1, total = " + table + ".total + excluded.total, versions = " + table
                + ".versions + excluded.versions")) {
            upsert.setString(1, event.streamId());
            upsert.setLong(2, amount(event));
            upsert.setLong(3, event.streamVersion());
            upsert.executeUpdate();
        }
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + context.table(name));
        }
    }
}
