package io.factum.store.postgres;

import io.factum.core.StoreException;
import io.factum.core.process.Deadline;
import io.factum.core.process.DeadlineStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Deadlines in the store's {@code deadlines} table; see {@link PostgresEventStore#deadlines}. One statement
 * per call, in autocommit, on a pooled connection. Due times are kept to the microsecond (truncated) and
 * compared with the {@code now} the caller passes (its clock, which tests control), never the database's.
 */
final class PgDeadlineStore implements DeadlineStore {

    private static final String COLUMNS = "id, owner, correlation_id, name, due_at, payload";

    private final DataSource dataSource;
    private final Tables tables;
    private final Runnable checkOpen;
    private final String scheduleSql;
    private final String cancelSql;
    private final String dueSql;
    private final String pendingSql;
    private final String nextDueSql;

    /** @param checkOpen throws {@link StoreException} once the event store is closed */
    PgDeadlineStore(DataSource dataSource, Tables tables, Runnable checkOpen) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.checkOpen = checkOpen;
        String deadlines = tables.deadlines();
        this.scheduleSql = "INSERT INTO " + deadlines + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, correlation_id = excluded.correlation_id,"
                + " name = excluded.name, due_at = excluded.due_at, payload = excluded.payload";
        this.cancelSql = "DELETE FROM " + deadlines + " WHERE id = ?";
        this.dueSql = "SELECT " + COLUMNS + " FROM " + deadlines + " WHERE due_at <= ? ORDER BY due_at, id LIMIT ?";
        this.pendingSql = "SELECT " + COLUMNS + " FROM " + deadlines + " WHERE owner = ? ORDER BY due_at, id";
        this.nextDueSql = "SELECT min(due_at) FROM " + deadlines;
    }

    @Override
    public void schedule(Deadline deadline) {
        OffsetDateTime dueAt = timestamp(deadline.dueAt(), "deadline " + deadline.name() + ": due time");
        run("scheduling deadline " + deadline.name() + " of " + deadline.owner(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement(scheduleSql)) {
                statement.setObject(1, deadline.id());
                statement.setString(2, deadline.owner());
                statement.setString(3, deadline.correlationId());
                statement.setString(4, deadline.name());
                statement.setObject(5, dueAt);
                statement.setString(6, deadline.payload());
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public boolean cancel(UUID id) {
        return run("cancelling deadline " + id, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(cancelSql)) {
                statement.setObject(1, id);
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Deadline> due(Instant now, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be 1 or more, got " + max);
        }
        OffsetDateTime at = timestamp(now, "now");
        return run("reading the deadlines due at " + now, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(dueSql)) {
                statement.setObject(1, at);
                statement.setInt(2, max);
                return read(statement);
            }
        });
    }

    @Override
    public List<Deadline> pending(String owner) {
        return run("reading the deadlines of " + owner, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(pendingSql)) {
                statement.setString(1, owner);
                return read(statement);
            }
        });
    }

    @Override
    public Optional<Instant> nextDue() {
        return run("reading the next deadline", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(nextDueSql);
                    ResultSet rs = statement.executeQuery()) {
                rs.next();
                OffsetDateTime next = rs.getObject(1, OffsetDateTime.class);
                return next == null ? Optional.empty() : Optional.of(next.toInstant());
            }
        });
    }

    private static List<Deadline> read(PreparedStatement statement) throws SQLException {
        List<Deadline> deadlines = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                deadlines.add(new Deadline(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant(),
                        rs.getString(6)));
            }
        }
        return List.copyOf(deadlines);
    }

    private static OffsetDateTime timestamp(Instant instant, String what) {
        try {
            return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(what + " " + instant + " cannot be stored", e);
        }
    }

    private <T> T run(String what, Sql.Work<T> work) {
        checkOpen.run();
        return Sql.autocommit(dataSource, tables.deadlines(), what, work);
    }

    @Override
    public String toString() {
        return "PgDeadlineStore[" + tables.deadlines() + "]";
    }
}
