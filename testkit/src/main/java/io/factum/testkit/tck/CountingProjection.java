package io.factum.testkit.tck;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The read model of {@link SqlProjectionContract}: counts events per stream into {@code <table>_v<version>}
 * (version 1 adds 1 per event, a higher version 10, so a rebuilt table tells itself apart). It can be made
 * to fail on one event type ({@link #poisonType}) and to stall ({@link #slow}), and counts its calls.
 */
final class CountingProjection implements SqlProjection {

    final String name;
    final String table;
    final int version;
    final EventFilter filter;
    final List<Integer> dropped = new CopyOnWriteArrayList<>();
    final AtomicBoolean slow = new AtomicBoolean();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger applied = new AtomicInteger();
    volatile String poisonType = "";

    /** The projection {@code tck_stream_counts} of every event into {@code counts_v<version>}. */
    CountingProjection(int version) {
        this("tck_stream_counts", "counts", version, EventFilter.all());
    }

    CountingProjection(String name, String table, int version, EventFilter filter) {
        this.name = name;
        this.table = table;
        this.version = version;
        this.filter = filter;
    }

    /** The amount a version adds per event. */
    long step() {
        return version == 1 ? 1 : 10;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public EventFilter filter() {
        return filter;
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + context.table(table)
                    + " (stream_id text primary key, n bigint not null, last_position bigint not null)");
        }
    }

    private String upsert(ProjectionContext context) {
        String versioned = context.table(table);
        return "INSERT INTO " + versioned + " (stream_id, n, last_position) VALUES (?, ?, ?) ON CONFLICT (stream_id)"
                + " DO UPDATE SET n = " + versioned + ".n + excluded.n, last_position = excluded.last_position";
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
        applied.incrementAndGet();
        try (PreparedStatement upsert = connection.prepareStatement(upsert(context))) {
            upsert.setString(1, event.streamId());
            upsert.setLong(2, step());
            upsert.setLong(3, event.position().position());
            upsert.executeUpdate();
        }
        if (event.type().equals(poisonType)) {
            throw new SQLException("cannot project " + event.type());
        }
        stall();
    }

    /** The whole batch in one JDBC batch; a poison event fails it before anything is sent. */
    @Override
    public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
            throws SQLException {
        batches.incrementAndGet();
        try (PreparedStatement upsert = connection.prepareStatement(upsert(context))) {
            for (RecordedEvent event : events) {
                if (event.type().equals(poisonType)) {
                    throw new SQLException("cannot project " + event.type());
                }
                upsert.setString(1, event.streamId());
                upsert.setLong(2, step());
                upsert.setLong(3, event.position().position());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
        stall();
    }

    private void stall() {
        while (slow.get()) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + context.table(table));
        }
        dropped.add(context.version());
    }
}
