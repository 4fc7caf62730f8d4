package io.factum.store.sqlite;

import io.factum.core.process.Deadline;
import io.factum.core.process.DeadlineStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Deadlines in {@code factum_deadlines} of a store's file, so they outlive the process; see {@link
 * SqliteEventStore#deadlines}. Changes go through the store's writer, reads use the read pool. Times are
 * kept to the microsecond; deadlines due at the same time come in the order of their ids' text.
 */
final class SqliteDeadlineStore implements DeadlineStore {

    private static final String COLUMNS = "id, owner, correlation_id, name, due_at, payload";

    private final String file;
    private final Writer writer;
    private final ReadPool reads;

    SqliteDeadlineStore(String file, Writer writer, ReadPool reads) {
        this.file = file;
        this.writer = writer;
        this.reads = reads;
    }

    @Override
    public void schedule(Deadline deadline) {
        writer.submit(session -> {
            PreparedStatement upsert = session.prepare("INSERT INTO factum_deadlines (" + COLUMNS + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET owner = excluded.owner,"
                    + " correlation_id = excluded.correlation_id, name = excluded.name, due_at = excluded.due_at,"
                    + " payload = excluded.payload");
            upsert.setString(1, deadline.id().toString());
            upsert.setString(2, deadline.owner());
            upsert.setString(3, deadline.correlationId());
            upsert.setString(4, deadline.name());
            upsert.setLong(5, Rows.micros(deadline.dueAt()));
            upsert.setString(6, deadline.payload());
            upsert.executeUpdate();
            return Boolean.TRUE;
        });
    }

    @Override
    public boolean cancel(UUID id) {
        return writer.submit(session -> {
            PreparedStatement delete = session.prepare("DELETE FROM factum_deadlines WHERE id = ?");
            delete.setString(1, id.toString());
            return delete.executeUpdate() > 0;
        });
    }

    @Override
    public List<Deadline> due(Instant now, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be 1 or more, got " + max);
        }
        return reads.read("the deadlines due at " + now, lease -> {
            PreparedStatement select = lease.prepare(
                    "SELECT " + COLUMNS + " FROM factum_deadlines WHERE due_at <= ? ORDER BY due_at, id LIMIT ?");
            select.setLong(1, Rows.micros(now));
            select.setInt(2, max);
            return deadlines(select);
        });
    }

    @Override
    public List<Deadline> pending(String owner) {
        return reads.read("the deadlines of " + owner, lease -> {
            PreparedStatement select =
                    lease.prepare("SELECT " + COLUMNS + " FROM factum_deadlines WHERE owner = ? ORDER BY due_at, id");
            select.setString(1, owner);
            return deadlines(select);
        });
    }

    @Override
    public Optional<Instant> nextDue() {
        return reads.read("the next deadline", lease -> {
            try (ResultSet rows =
                    lease.prepare("SELECT min(due_at) FROM factum_deadlines").executeQuery()) {
                rows.next();
                long micros = rows.getLong(1);
                return rows.wasNull() ? Optional.empty() : Optional.of(Rows.instant(micros));
            }
        });
    }

    private static List<Deadline> deadlines(PreparedStatement select) throws SQLException {
        List<Deadline> deadlines = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                deadlines.add(new Deadline(
                        UUID.fromString(rows.getString(1)),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getString(4),
                        Rows.instant(rows.getLong(5)),
                        rows.getString(6)));
            }
        }
        return deadlines;
    }

    @Override
    public String toString() {
        return "SqliteDeadlineStore[" + file + "]";
    }
}
