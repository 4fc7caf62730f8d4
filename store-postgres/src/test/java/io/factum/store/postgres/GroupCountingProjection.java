package io.factum.store.postgres;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Counts the events of each stream and refuses an event that does not follow the stream's last one, so a
 * lost, repeated or reordered event shows as a wrong count or a parked event. Slowed down a little per
 * event, so a test can kill a member in the middle.
 */
public final class GroupCountingProjection implements SqlProjection {

    private final long sleepMillisPerEvent;

    public GroupCountingProjection(long sleepMillisPerEvent) {
        this.sleepMillisPerEvent = sleepMillisPerEvent;
    }

    @Override
    public String name() {
        return "group_counts";
    }

    @Override
    public EventFilter filter() {
        return EventFilter.categories("counted");
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + context.table("counts")
                    + " (stream_id text PRIMARY KEY, n bigint NOT NULL, last_version bigint NOT NULL)");
        }
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
        String table = context.table("counts");
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + table
                + " AS t (stream_id, n, last_version) VALUES (?, 1, ?) ON CONFLICT (stream_id) DO UPDATE"
                + " SET n = t.n + 1, last_version = excluded.last_version"
                + " WHERE t.last_version = excluded.last_version - 1")) {
            upsert.setString(1, event.streamId());
            upsert.setLong(2, event.streamVersion());
            if (upsert.executeUpdate() != 1 || event.streamVersion() < 0) {
                throw new SQLException("event " + event.streamId() + "@" + event.streamVersion()
                        + " does not follow the stream's last counted event");
            }
        }
        if (sleepMillisPerEvent > 0) {
            try {
                Thread.sleep(sleepMillisPerEvent);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + context.table("counts"));
        }
    }
}
